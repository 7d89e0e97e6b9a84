"""Deadline alerts and e-mail: what is watched and who hears (watchers.py), alerts and
the outbox (services.py), sending (mail.py), the scheduler's lease (lease.py) and jobs
(jobs.py)."""
