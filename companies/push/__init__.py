"""Agency subscriptions: the register's changes pushed to each subscribed agency's X-Road
service as they happen (``delivery``), and what the admin shows of them (``lag``)."""
