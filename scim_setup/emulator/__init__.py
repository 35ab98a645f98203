"""A local Dashboard: the admin API of docs/dashboard-api.md and a SCIM 2.0 endpoint.

Start it with `python -m scim_setup.emulator --port 0 --data-dir DIR` (it prints one JSON
line when ready), or from Python with `scim_setup.emulator.process.EmulatorProcess`.
"""
