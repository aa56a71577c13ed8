"""kefu-bot: a coordination bot for e-commerce customer-service teams."""
