"""Personal data kept no longer than needed: the retention policy, the daily job that
anonymises what has expired, and an admin's export or early anonymisation of one case."""
