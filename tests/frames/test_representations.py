"""One representation everywhere: eager, lazy, pandas and the Arrow C stream give the same columns
(many2one as ``<field>`` id + ``<field>.display_name``), the same values, and the same typed schema
on an empty result."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
from polars.testing import assert_frame_equal

from zenoo.client import ZenooClient

from .conftest import make_partners

FIELDS = ("name", "is_company", "country_id", "parent_id", "category_id", "email", "type", "create_date")


def _as_plain_polars(frame: pl.DataFrame) -> pl.DataFrame:
    """Selections as plain strings: the C stream carries an Arrow dictionary, which Polars reads
    as Categorical (an Enum needs the Polars-side cast that to_polars() and lazy() do)."""
    return frame.with_columns(pl.col("type").cast(pl.String))


async def test_many2one_and_values_are_the_same_in_every_representation(
    client: ZenooClient, marker: str
) -> None:
    ids = sorted(await make_partners(client, marker, 6))
    await client.write("res.partner", ids[1:3], {"parent_id": ids[0]})
    qs = client.model("res.partner").filter(name__startswith=marker).only(*FIELDS)

    eager = await qs.to_polars(progress=False)
    lazily = qs.lazy(progress=False).collect()
    via_pandas = pl.from_pandas(await qs.to_pandas(progress=False))
    via_stream = pl.DataFrame(qs)
    via_pa_table = pl.from_arrow(pa.table(qs))
    assert isinstance(via_pa_table, pl.DataFrame)

    m2o = ["country_id", "country_id.display_name", "parent_id", "parent_id.display_name"]
    assert all(name in eager.columns for name in m2o)
    assert eager.schema["parent_id"] == pl.Int64 and eager.schema["parent_id.display_name"] == pl.String
    children = eager.filter(pl.col("id").is_in(ids[1:3]))
    assert children["parent_id"].to_list() == [ids[0], ids[0]]
    assert children["parent_id.display_name"].to_list() == [f"{marker}-00"] * 2
    no_country = eager.filter(pl.col("country_id").is_null())  # (contacts take their parent's country)
    assert no_country.height >= 1 and no_country["country_id.display_name"].null_count() == no_country.height

    assert isinstance(eager.schema["type"], pl.Enum) and lazily.schema == eager.schema
    assert_frame_equal(lazily, eager)
    plain = _as_plain_polars(eager)
    for other in (via_pandas, via_stream, via_pa_table):
        assert other.columns == eager.columns
        assert_frame_equal(_as_plain_polars(other), plain)


async def test_empty_result_has_the_full_schema_in_every_representation(
    client: ZenooClient, marker: str
) -> None:
    qs = client.model("res.partner").filter(name=f"{marker}-nobody").only(*FIELDS)
    eager = await qs.to_polars(progress=False)
    table = await qs.to_arrow(progress=False)
    lazily = qs.lazy(progress=False).collect()
    streamed = pa.table(qs)

    assert eager.height == lazily.height == streamed.num_rows == table.num_rows == 0
    assert lazily.schema == eager.schema
    assert streamed.schema.equals(table.schema)
    assert eager.schema["category_id"] == pl.List(pl.Int64)
    assert eager.schema["create_date"] == pl.Datetime("us", "UTC")
    assert eager.schema["parent_id"] == pl.Int64 and eager.schema["parent_id.display_name"] == pl.String
    assert table.schema.field("type").type == pa.dictionary(pa.int32(), pa.string())
