"""W2: the agent's own voice coming back on the customer's channel (a speakerphone, line
echo), 20 to 40 dB quieter and a little late, is echo, not the customer. The agent's side of a
spoken dev call is mixed by sox with a quieter, delayed copy of itself as the customer's
channel, as in the review (`sox -M agent.wav echo.wav`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading

import numpy as np
import pytest

from callassist.audio.echo import CustomerEcho
from callassist.audio.sources import FileSource
from callassist.audio.wavfile import read_info
from callassist.cli import main


def sox(*args) -> None:
    if not shutil.which("sox"):
        pytest.fail("sox is missing: run scripts/setup.sh")
    subprocess.run(["sox", *map(str, args)], check=True)


@pytest.mark.parametrize(("drop_db", "delay_s"), [(30, 0.0), (20, 0.08), (40, 0.25)])
def test_W2_the_agents_echo_on_the_customer_channel_is_not_the_customer(
        capsys, spoken_call, tmp_path, drop_db, delay_s):
    agent, _ = spoken_call("dev-021", agent_only=True)
    echo = tmp_path / "echo.wav"
    sox(agent, echo, "vol", f"-{drop_db}dB", "pad", delay_s)
    both = tmp_path / "echo_customer.wav"
    sox("-M", agent, echo, both, "trim", 0, f"{read_info(agent).duration:.3f}")
    assert main(["analyze", str(both), "--customer-channel", "right", "--json",
                 "--rules-only"]) == 0
    report = json.loads(capsys.readouterr().out)
    customer = [t for t in report["transcript"] if t["speaker"] == "customer"]
    assert customer == [], customer
    assert any(t["speaker"] == "agent" for t in report["transcript"])


def test_W2_the_customers_own_voice_is_kept_even_over_the_agents(spoken_call):
    """Double talk: the customer's own voice over the agent's is not a copy of it."""
    wav, _ = spoken_call("dev-021")  # agent left, customer right: two voices
    echo = CustomerEcho()
    kept = dropped = 0
    for b in FileSource(wav, customer_channel="right").blocks(threading.Event()):
        if b.speaker == "agent":
            echo.agent(b.at, b.samples)
        elif np.abs(b.samples).max() > 300:
            if echo.is_echo(b.at, b.samples):
                dropped += 1
            else:
                kept += 1
    assert kept > 20 and dropped == 0, (kept, dropped)
