"""Outputs that are not regular files (lexquery.files.atomic_output): a named pipe or a device
named by ``-o`` is written through, never replaced by a regular file. Before the fix,
``lexquery screen FILE --format csv -o /dev/null`` run as root renamed its temporary file over
the system's null device (a regular file took its place)."""
from __future__ import annotations

import fcntl
import os
import stat

import pytest

from lexquery.files import atomic_output
from lexquery.screening.synth import synth_text

from kb_helpers import run_cli


def _fifo_with_reader(tmp_path):
    """A named pipe and its read end, opened first (non-blocking, so that the writer's open does
    not wait), then made blocking: a small output fits the pipe's buffer."""
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    return fifo, fd


def _drain(fd) -> bytes:
    chunks = []
    while True:
        try:
            b = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not b:
            break
        chunks.append(b)
    os.close(fd)
    return b"".join(chunks)


def test_a_named_pipe_is_written_through_and_stays_a_pipe(tmp_path):
    fifo, fd = _fifo_with_reader(tmp_path)
    with atomic_output(fifo) as f:
        f.write("line;id\n2;A-1\n")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the pipe was replaced by a regular file"
    assert _drain(fd) == b"line;id\n2;A-1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.fifo"]   # no temporary left beside it


def test_screen_to_a_named_pipe_gives_the_same_bytes_as_to_a_file(tmp_path, capsys):
    src = tmp_path / "reg.csv"
    src.write_text(synth_text(8, 0), encoding="utf-8")
    reg = tmp_path / "out.csv"
    assert run_cli(capsys, "screen", str(src), "--as-of", "2026-12-01", "-o", str(reg), "--quiet")[0] == 0
    fifo, fd = _fifo_with_reader(tmp_path)
    assert run_cli(capsys, "screen", str(src), "--as-of", "2026-12-01", "--format", "csv", "-o", str(fifo), "--quiet")[0] == 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert _drain(fd) == reg.read_bytes()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mknod of a device needs root")
def test_a_device_is_written_through_and_stays_a_device(tmp_path):
    dev = tmp_path / "null"
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))   # a null device of the test's own
    except OSError as e:   # root without the right to make devices (a container): nothing to test
        pytest.skip(f"mknod refused: {e}")
    with atomic_output(dev, binary=True) as f:
        f.write(b"x" * 10_000)
    assert stat.S_ISCHR(os.stat(dev).st_mode), "the device was replaced by a regular file"
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_a_regular_file_is_still_replaced_whole(tmp_path):
    out = tmp_path / "a.csv"
    out.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_output(out) as f:
            f.write("new, half")
            raise RuntimeError("interrupted")
    assert out.read_text() == "old\n"
    with atomic_output(out) as f:
        f.write("new\n")
    assert out.read_text() == "new\n" and [p.name for p in tmp_path.iterdir()] == ["a.csv"]
