"""Demo HTTP server speaking both vendors' APIs with deterministic generated data.

    with DemoServer() as server:      # free port on 127.0.0.1, served in a daemon thread
        base_url = server.url         # Capillary and Ctrl-Hub share it
        nested_url = server.url + "/shape/nested"   # Capillary's older reply shape
"""

from .data import (
    DEMO_CAPILLARY_PASSWORD,
    DEMO_CAPILLARY_TIMEZONE,
    DEMO_CAPILLARY_USERNAME,
    DEMO_CTRLHUB_ORG,
    DEMO_CTRLHUB_TOKEN,
    DemoCustomer,
    demo_customers,
)
from .listing import customer_list_text, demo_interaction_ids
from .server import DemoServer

__all__ = [
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
