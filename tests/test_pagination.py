"""ideology_review.lib.http.paginate: Paginator.get_page's pages, and a first
page that holds every row costs one query, not two."""

import pytest
from django.test import RequestFactory

from ideology_review.lib.http import paginate
from meetings.models import Person

from .factories import PersonFactory

pytestmark = pytest.mark.django_db


def page_of(n, page=None, per_page=20):
    PersonFactory.create_batch(n)
    request = RequestFactory().get("/", {"page": page} if page else {})
    return paginate(request, Person.objects.order_by("pk"), per_page)


@pytest.mark.parametrize("n", [0, 1, 20])
def test_a_list_that_fits_on_the_first_page_is_counted_from_its_rows(n, django_assert_num_queries):
    PersonFactory.create_batch(n)
    request = RequestFactory().get("/")
    with django_assert_num_queries(1):
        page = paginate(request, Person.objects.order_by("pk"), 20)
        assert len(page) == n
        assert page.paginator.count == n
        assert page.paginator.num_pages == 1
        assert not page.has_next()
    assert [p.pk for p in page] == list(Person.objects.order_by("pk").values_list("pk", flat=True))


def test_a_longer_list_is_counted_and_its_first_page_read_once(django_assert_num_queries):
    PersonFactory.create_batch(21)
    request = RequestFactory().get("/", {"page": "1"})
    with django_assert_num_queries(2):
        page = paginate(request, Person.objects.order_by("pk"), 20)
        assert len(page) == 20
        assert page.paginator.count == 21
        assert page.has_next() and page.next_page_number() == 2


@pytest.mark.parametrize(("asked", "number", "rows"), [("2", 2, 1), ("9", 2, 1), ("x", 1, 20)])
def test_other_pages_are_paginators_pages(asked, number, rows):
    page = page_of(21, page=asked)
    assert page.number == number
    assert len(page) == rows
    assert page.paginator.count == 21
