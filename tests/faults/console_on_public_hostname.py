"""The tunnel also routes /rustfs/console on the public hostname to the console port (9001)."""


def pytest_cutover_public_routes(routes, rehearsal):
    routes["/rustfs/console"] = f"http://{rehearsal.listen.console_address}"
