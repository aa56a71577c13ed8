"""WeCom (企业微信) and DingTalk (钉钉) group robots: a second, one-way channel for the bot's own postings.

`vault` encrypts what must stay secret, `vendors` knows each vendor's URLs, answers and message shapes,
`links` ties a chat to its robots, `people` maps team members to their ids there, `pacing` keeps each robot
under its per-minute limit and `mirror` turns a posting into robot deliveries (rows of the delivery table).
"""
