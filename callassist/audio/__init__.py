"""Audio sources that yield 16 kHz mono int16 blocks tagged with speaker and call time
(microphone, WAV file, merged agent + customer channels), and level / voice activity per block."""
