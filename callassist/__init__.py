"""CallAssist: live, offline coaching for phone agents calming upset customers."""

__version__ = "0.1.0"
