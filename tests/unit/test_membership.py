"""The member id a worker's data dir remembers across restarts (streams.membership)."""
from streams.membership import FILE, remember, remembered


def test_a_data_dir_remembers_the_last_member_id_whole(tmp_path):
    assert remembered(tmp_path / "fresh") is None
    remember(tmp_path / "fresh", "pantau-1-aaa")
    remember(tmp_path / "fresh", "pantau-1-bbb")
    assert remembered(tmp_path / "fresh") == "pantau-1-bbb"
    assert sorted(p.name for p in (tmp_path / "fresh").iterdir()) == [FILE]  # no partial file left


def test_an_empty_file_is_no_member(tmp_path):
    (tmp_path / FILE).write_text("\n")
    assert remembered(tmp_path) is None
