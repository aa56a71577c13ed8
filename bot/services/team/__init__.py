"""Team: people and their roles, registered chats, team rules, the command catalogue, the audit view."""
