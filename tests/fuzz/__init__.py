"""A fuzzer for the faunalite server (issue 17: no query, body or header may crash it).

``corpus`` holds valid FQL and the edge values mutations draw from, ``generator`` turns a
seeded ``random.Random`` into a reproducible sequence of HTTP requests, and ``runner`` sends
them to a ``faunalite serve`` child process over raw sockets, restarting it when it dies and
counting what came back. ``test_fuzz`` is a bounded run; ``benchmarks/fuzz_campaign.py`` is
the long one.
"""
