"""Reading a 100,000-row recipient list (``make benchmark``).

Writes a CSV like a real export (a BOM, CRLF, an "Email Address" column,
names, organisations, a few invalid and repeated rows), then prints:
- rows per second read, validated and de-duplicated by ``read_recipients``,
  beside a bare ``validate_email`` loop over the same addresses in the same run
  (the floor: email-validator's own cost);
- the peak RSS of a fresh process that reads the list  [target <= 150 MB].
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from email_validator import validate_email

from bulletin.mail.recipients import read_recipients

ROWS = 100_000


def write_list(path: Path) -> list[str]:
    addresses = []
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(["Email Address", "First Name", "Last Name", "Organisation"])
        for number in range(ROWS):
            if number % 1000 == 999:
                address = f"broken{number}@@example.org"  # invalid
            elif number % 500 == 499:
                address = f"Reader{number - 1}@Example.org"  # a repeat, in capitals
            else:
                address = f"reader{number}@example.org"
            addresses.append(address)
            writer.writerow(
                [address, f"Reader{number}", "Jones", "Durham County Council"]
            )
    return addresses


def peak_rss_mb(path: Path) -> float:
    """The peak RSS of a new process that imports bulletin and reads ``path``."""
    code = (
        "import resource, sys; from pathlib import Path; "
        "from bulletin.mail.recipients import read_recipients; "
        "read_recipients(Path(sys.argv[1])); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(output.stdout) / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "recipients.csv"
        addresses = write_list(path)
        size = path.stat().st_size
        start = time.perf_counter()
        bare_valid = 0
        for address in addresses:
            try:
                validate_email(address, check_deliverability=False)
                bare_valid += 1
            except ValueError:
                pass
        bare = ROWS / (time.perf_counter() - start)
        start = time.perf_counter()
        listed = read_recipients(path)
        ours = ROWS / (time.perf_counter() - start)
        assert len(listed) + len(listed.duplicates) == bare_valid
        print(
            f"{ROWS:,}-row recipient list ({size / 1e6:.1f} MB): read, validated and "
            f"de-duplicated at {ours:,.0f} rows/s"
        )
        print(
            f"  bare validate_email loop, same addresses:  {bare:,.0f} rows/s "
            f"(ours is {ours / bare:.2f}x)"
        )
        print(
            f"  {len(listed):,} recipients, {len(listed.rejected):,} invalid, "
            f"{len(listed.duplicates):,} repeated"
        )
        print(
            f"  peak RSS of a process reading it: {peak_rss_mb(path):.0f} MB  "
            "[target <= 150 MB]"
        )


if __name__ == "__main__":
    main()
