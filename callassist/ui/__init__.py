"""The agent's overlay (`overlay.py`: the always-on-top window, `worker.py`: the call running on
its own thread, `sources.py`: what a call listens to) and the supervisor's review window."""
