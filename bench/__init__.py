"""Benchmarks: figures printed, never asserted (a shared machine gives noisy times).

From the repository root, with the base built (`python -m indicateurs build`, or INDICATEURS_DATA):

- `python -m bench [names…]`: every `bench_*.py` (e.g. `python -m bench interactions`: server CPU
  per interaction of a scripted tour, AppTest, warm caches);
- `python -m bench.ws_load salle|rush|debit|octets`: the real server driven through its WebSocket
  (`--participants 30 --duree 180` for the issue's room; `--instances 1 2` behind nginx);
- `python -m bench.browser`: a fresh Chromium per page load: time to the map visible on /carte and
  /profil, indicator change redrawn, bytes of a first visit;
- `python -m bench.load_test --sessions 5 15 30`: N real browsers at once on one server.
"""
