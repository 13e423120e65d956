"""The seed README's code examples, verbatim, in one place.

Each constant is one ``python`` block of the seed README (``../shared/seed/README.md``
beside the repository), byte for byte: indentation, spacing and trailing spaces included.
``test_seed_readme.py`` runs them against a scripted FaunaDB and checks what they send;
``test_seed_readme_live.py`` runs them against a real faunalite server and checks that
``EXAMPLES`` still equals the README's blocks (``readme_python_blocks``).

Both run an example the way a user's script would: compiled on its own by
``compile_example`` and exec'd in a fresh ``__main__`` namespace.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import CodeType

# The seed README lives in the shared folder beside the repository (as CI lays it out too).
SEED_README = Path(
    os.environ.get(
        "FAUNA_SEED_README",
        Path(__file__).resolve().parents[3] / "shared" / "seed" / "README.md",
    )
)


def readme_python_blocks(readme: Path = SEED_README) -> list[str]:
    """The README's ```` ```python ```` code blocks, in order, as written."""
    return re.findall(r"^```python[ \t]*\n(.*?)^```", readme.read_text(), re.S | re.M)


def compile_example(title: str, code: str) -> CodeType:
    """``code`` compiled as a script of its own.

    ``dont_inherit``: the example does not pick up the ``from __future__ import annotations``
    of the module that compiles it.
    """
    return compile(code, f"<seed README: {title}>", "exec", dont_inherit=True)


# -- Basic Usage ---------------------------------------------------------------------------

BASIC_USAGE = """\
from fauna import fql
from fauna.client import Client
from fauna.encoding import QuerySuccess
from fauna.errors import FaunaException

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
"""


# -- Query Composition ---------------------------------------------------------------------

QUERY_COMPOSITION = """\
from fauna import fql
from fauna.client import Client

client = Client()

def add_two(x):
    return fql("${x} + 2", x=x)

q = fql("${y} + 4", y=add_two(2))
res = client.query(q)
print(res.data) # 8
"""


# -- Serialization / Deserialization -------------------------------------------------------

SERIALIZATION = """\
class MyClass:
    def __init__ (self, my_prop):
        self.my_prop = my_prop

    def to_dict(self):
        return { 'my_prop': self.my_prop }

    @static_method
    def from_result(obj):
        return MyClass(obj['my_prop'])
"""


# -- Client Configuration: timeouts --------------------------------------------------------

QUERY_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(query_timeout=timedelta(seconds=20))
"""

QUERY_TIMEOUT_PER_QUERY = """\
from datetime import timedelta
from fauna.client import Client, QueryOptions

response = client.query(myQuery, QueryOptions(query_timeout=timedelta(seconds=20)))
"""

CLIENT_BUFFER_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(client_buffer_timeout=timedelta(seconds=20))
"""

IDLE_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(http_idle_timeout=timedelta(seconds=6))
"""

CONNECT_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(http_connect_timeout=timedelta(seconds=6))
"""

POOL_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(http_pool_timeout=timedelta(seconds=6))
"""

READ_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(http_read_timeout=timedelta(seconds=6))
"""

WRITE_TIMEOUT = """\
from datetime import timedelta
from fauna.client import Client

client = Client(http_write_timeout=timedelta(seconds=6))
"""


# -- Query Stats ---------------------------------------------------------------------------

QUERY_STATS = """\
from fauna import fql
from fauna.client import Client
from fauna.encoding import QuerySuccess, QueryStats
from fauna.errors import ServiceError

client = Client()

def emit_stats(stats: QueryStats):
    print(f"Compute Ops: {stats.compute_ops}")
    print(f"Read Ops: {stats.read_ops}")
    print(f"Write Ops: {stats.write_ops}")

try:
    q = fql('Collection.create({ name: "Dogs" })')
    qs: QuerySuccess = client.query(q)
    emit_stats(qs.stats)
except ServiceError as e:
    if e.stats is not None:
        emit_stats(e.stats)
    # more error handling...
"""


# -- Streaming -----------------------------------------------------------------------------

STREAM_WITH_TOKEN = """\
import fauna

from fauna import fql
from fauna.client import Client, StreamOptions

client = Client()
response = client.query(fql('''
  let set = Product.all()
  { 
    initialPage: set.pageSize(10),
    streamToken: set.toStream() { name, price, category }
  }
  '''))
  
initialPage = response.data["initialPage"]
streamToken = response.data["streamToken"]

with client.stream(streamToken) as stream:
  for event in stream:
    print(event["type"])
    print(event["data"])
    eventType = event["type"]
    if (eventType == "add"):
      print("add event")
      ## handle add event
    elif (eventType == "update"):
      print("update event")
      ## handle update event
    elif (eventType == "remove"):
      print("remove event")
      ## handle remove event
"""  # noqa: W291, W293 (verbatim: the README has trailing spaces)

STREAM_FROM_QUERY = """\
import fauna

from fauna import fql
from fauna.client import Client

client = Client()

with client.stream(fql(
  'Product.all().where(.price > 50).toStream() { name, price, category }'
)) as stream:
  for event in stream:
    print(event["type"])
    print(event["data"])
"""

CLOSE_A_STREAM = """\
import fauna

from fauna import fql
from fauna.client import Client

client = Client()

events = []

with client.stream(fql(
  'Product.all().where(.price > 50).toStream() { name, price, category }'
)) as stream:
  for event in stream:
    print(event["type"])
    print(event["data"])

    events.append(event)
    # Close the stream after 2 events
    if len(events) == 2:
      print("Closing the stream ...")
      stream.close()
"""

STREAM_ERROR_HANDLING = """\
import fauna

from fauna import fql
from fauna.client import Client
from fauna.errors import FaunaException

client = Client()

try:
  with client.stream(fql(
    'Product.all().where(.price > 50).toStream() { name, price, category }'
  )) as stream:
    for event in stream:
      print(event["type"])
      print(event["data"])
except FaunaException as e:
  print("error ocurred with stream: ", e)
"""


# -- all of them, in the README's order ----------------------------------------------------

EXAMPLES = [
    BASIC_USAGE,
    QUERY_COMPOSITION,
    SERIALIZATION,
    QUERY_TIMEOUT,
    QUERY_TIMEOUT_PER_QUERY,
    CLIENT_BUFFER_TIMEOUT,
    IDLE_TIMEOUT,
    CONNECT_TIMEOUT,
    POOL_TIMEOUT,
    READ_TIMEOUT,
    WRITE_TIMEOUT,
    QUERY_STATS,
    STREAM_WITH_TOKEN,
    STREAM_FROM_QUERY,
    CLOSE_A_STREAM,
    STREAM_ERROR_HANDLING,
]
