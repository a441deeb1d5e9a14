"""Demo HTTP server speaking both vendors' APIs with deterministic generated data.

with DemoServer() as server:      # free port on 127.0.0.1, served in a daemon thread
    base_url = server.url         # Capillary and Ctrl-Hub share it
    nested_url = server.url + "/shape/nested"   # Capillary's older reply shape
"""

from . import auth_api
from .data import (
    DEMO_CAPILLARY_OAUTH_KEY,
    DEMO_CAPILLARY_OAUTH_SECRET,
    DEMO_CAPILLARY_PASSWORD,
    DEMO_CAPILLARY_TIMEZONE,
    DEMO_CAPILLARY_USERNAME,
    DEMO_CTRLHUB_CLIENT_ID,
    DEMO_CTRLHUB_CLIENT_SECRET,
    DEMO_CTRLHUB_ORG,
    DEMO_CTRLHUB_PASSWORD,
    DEMO_CTRLHUB_TOKEN,
    DEMO_CTRLHUB_USER,
    DemoCustomer,
    demo_customers,
)
from .listing import customer_list_text, demo_interaction_ids
from .server import DemoServer

__all__ = [
    "auth_api",
    "DEMO_CAPILLARY_OAUTH_KEY",
    "DEMO_CAPILLARY_OAUTH_SECRET",
    "DEMO_CTRLHUB_CLIENT_ID",
    "DEMO_CTRLHUB_CLIENT_SECRET",
    "DEMO_CTRLHUB_PASSWORD",
    "DEMO_CTRLHUB_USER",
    "DEMO_CAPILLARY_PASSWORD",
    "DEMO_CAPILLARY_TIMEZONE",
    "DEMO_CAPILLARY_USERNAME",
    "DEMO_CTRLHUB_ORG",
    "DEMO_CTRLHUB_TOKEN",
    "DemoCustomer",
    "DemoServer",
    "customer_list_text",
    "demo_customers",
    "demo_interaction_ids",
]
