"""The FQL standard library: one module per type, each filling the tables in ``registry``.

Importing this package registers every method. To see what exists for a type, read its module;
to add a method, add a decorated function there.
"""

from faunalite.fql.stdlib import arrays as arrays
from faunalite.fql.stdlib import booleans as booleans
from faunalite.fql.stdlib import bytes_ as bytes_
from faunalite.fql.stdlib import dates as dates
from faunalite.fql.stdlib import event_sources as event_sources
from faunalite.fql.stdlib import global_functions as global_functions
from faunalite.fql.stdlib import ids as ids
from faunalite.fql.stdlib import mathematics as mathematics
from faunalite.fql.stdlib import numbers as numbers
from faunalite.fql.stdlib import objects as objects
from faunalite.fql.stdlib import query_module as query_module
from faunalite.fql.stdlib import sets as sets
from faunalite.fql.stdlib import strings as strings
from faunalite.fql.stdlib import times as times
