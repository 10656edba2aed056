import pytest
from hn_reference import FAMILIES


@pytest.fixture(params=FAMILIES, ids=lambda p: p[0] + "-" + "-".join(map(str, p[1].values())))
def family(request):
    return request.param
