"""Scrapy spiders of tosmonitor (one generic spider driven by declarations)."""
