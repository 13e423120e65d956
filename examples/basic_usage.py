"""The seed README's Basic Usage example, run against an embedded faunalite.

This is the project's main job: ``python examples/basic_usage.py`` starts a faunalite server
inside this process (in memory, on a free loopback port), points the standard ``FAUNA_ENDPOINT``
and ``FAUNA_SECRET`` variables at it, and then runs the example exactly as the driver's README
writes it. Against a real FaunaDB, set those two variables and run only the part below the line.
"""

import os
import sys

import faunalite
from fauna import Document

server = faunalite.serve_in_background()
server.start()
os.environ["FAUNA_ENDPOINT"] = server.endpoint
os.environ["FAUNA_SECRET"] = server.secret

# ---- the seed README's "Basic Usage", unchanged ----
from fauna import fql  # noqa: E402
from fauna.client import Client  # noqa: E402
from fauna.encoding import QuerySuccess  # noqa: E402
from fauna.errors import FaunaException  # noqa: E402

client = Client()
# The client defaults to using using the value stored FAUNA_SECRET for its secret.
# Either set the FAUNA_SECRET env variable or retrieve it from a secret store.
# As a best practice, don't store your secret directly in your code.

try:
    # create a collection
    q1 = fql('Collection.create({ name: "Dogs" })')
    client.query(q1)

    # create a document
    q2 = fql('Dogs.create({ name: "Scout" })')
    res: QuerySuccess = client.query(q2)
    doc = res.data
    print(doc)
except FaunaException as e:
    # handle errors
    print(e)
# ---- end of the example ----

client.close()
server.stop()

# The example prints an error instead of raising; as a job, failing must show in the exit status.
if not isinstance(globals().get("doc"), Document):
    sys.exit("basic_usage: the example did not create a document")
