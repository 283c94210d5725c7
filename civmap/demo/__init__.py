"""The demo city: a reproducible, realistic city for demos, tests and benchmarks."""

from civmap.demo.generate import DemoCity, generate_city

__all__ = ["DemoCity", "generate_city"]
