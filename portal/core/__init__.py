"""What every domain and the portal's own plumbing may use: the roles people have, and the
counters behind rate limits. Nothing here imports a domain."""
