"""Group -1: learn people (@username → id) and chats from every update before any command runs."""

from __future__ import annotations

from telegram import MessageEntity, Update, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import Application, ChatMemberHandler, TypeHandler

from bot.render.context import translator_for
from bot.services.team import chats, people
from handlers.gate import Ctx, seen_user


async def learn(update: Update, context: Ctx) -> None:
    """Record the sender, the chat and anyone the message points at (reply target, mentions, joiners)."""
    if update.effective_chat is not None:
        chat = update.effective_chat
        await chats.observe(chats.SeenChat(chat.id, chat.type, chat.title or chat.full_name or ""))
    users: list[User] = [update.effective_user] if update.effective_user else []
    message = update.effective_message
    if message is not None:
        if message.reply_to_message and message.reply_to_message.from_user:
            users.append(message.reply_to_message.from_user)
        users.extend(message.new_chat_members or ())
        users.extend(
            entity.user
            for entity in (*message.entities, *message.caption_entities)
            if entity.type == MessageEntity.TEXT_MENTION and entity.user
        )
    for user in users:
        if not user.is_bot:
            await people.observe(seen_user(user))


async def greet_new_group(update: Update, context: Ctx) -> None:
    """When the bot is added to a group, say how to register it."""
    member = update.my_chat_member
    if member is None or member.chat.type == ChatType.PRIVATE:
        return
    was_in = member.old_chat_member.status in {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR}
    is_in = member.new_chat_member.status in {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR}
    if is_in and not was_in:
        t = await translator_for(update, context.application)
        await context.bot.send_message(
            member.chat.id,
            t(
                "Hello! A manager or supervisor can register this group with /setup followed by "
                "team, supervisors, finance, warehouse or review."
            ),
        )


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Learning runs first and never stops other handlers."""
    app.add_handler(TypeHandler(Update, learn), group=-1)
    app.add_handler(ChatMemberHandler(greet_new_group, ChatMemberHandler.MY_CHAT_MEMBER))
