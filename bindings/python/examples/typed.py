import os

from pydantic import BaseModel, Field

from inf_wasi import Engine


class City(BaseModel):
    name: str = Field(max_length=30)
    country: str = Field(max_length=30)
    population: int = Field(ge=0, le=50_000_000)


model = os.environ.get("INF_WASI_MODEL", os.path.expanduser("~/.cache/inf-wasi/models/gemma-3-270m-q4_k_m.gguf"))

with Engine(models={"gemma": model}) as engine:
    city = engine.session("gemma").complete("The largest city in France, as JSON:", schema=City, temperature=0, max_tokens=96)
    print(type(city).__name__, city.name, city.country, city.population)
