"""Merchant feeds as the platforms export them, read into products (``producer.feeds.model``).

``read_feed(data, name, options)`` decodes the file (``producer.text_files``), tells its
format from its content (``detect``) unless ``options.format`` forces one, and reads it with
that platform's reader. Every problem is collected with its row, line or item.
"""

from producer.feeds.model import Feed, FeedFormat, FeedOptions, FeedProduct
from producer.feeds.reader import read_feed

__all__ = ["Feed", "FeedFormat", "FeedOptions", "FeedProduct", "read_feed"]
