"""Broadcasts: announcements to the registered chats, previewed, confirmed and acknowledged."""
