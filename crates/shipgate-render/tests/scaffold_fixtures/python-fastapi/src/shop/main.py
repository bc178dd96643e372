from fastapi import FastAPI

api = FastAPI(title="shop")


@api.get("/")
def index() -> dict[str, str]:
    return {"status": "ok"}
