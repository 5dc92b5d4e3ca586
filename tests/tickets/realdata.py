"""Small loaders from the real data sets in ``../shared/data`` to ``Ticket`` records.

Test fixtures only (the general loaders live in ``cxmetrics.io``); each rule that
turns a quirk of the export into a ticket history is written down here, because
the tests compare our measures against the exports' own counters.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from cxmetrics.models import Assignment, Message, StatusChange, Ticket

SERVICENOW = Path("uci_servicenow_incident_log") / "incident_event_log.csv"
TWITTER = Path("twcs_customer_support_twitter") / "twcs_head5000.csv"

# ServiceNow incident states -> ticket statuses. "Awaiting User Info" waits on the
# requester (pending); the other "Awaiting ..." states wait on a third party (on-hold).
SERVICENOW_STATES = {
    "New": "new",
    "Active": "open",
    "Awaiting User Info": "pending",
    "Awaiting Vendor": "on_hold",
    "Awaiting Problem": "on_hold",
    "Awaiting Evidence": "on_hold",
    "Resolved": "solved",
    "Closed": "closed",
}
UNASSIGNED = "(no group)"
_SN_TIME = "%d/%m/%Y %H:%M"


def read_servicenow(data: Path) -> pd.DataFrame:
    """The event log, one row per update in file order (the order of the updates).

    The 5 rows in state ``-100`` (a broken export value, no state) are dropped.
    """
    log = pd.read_csv(data / SERVICENOW, dtype=str, keep_default_na=False)
    log = log[log["ident_state"] != "-100"].reset_index(drop=True)
    for column in ("sys_updated_at", "opened_at"):
        log[column] = pd.to_datetime(log[column], format=_SN_TIME, utc=True)
    for column in ("reopen_count", "reassignment_count", "sys_mod_count"):
        log[column] = log[column].astype(int)
    return log


def servicenow_tickets(log: pd.DataFrame) -> list[Ticket]:
    """One ticket per incident: status history and assignment history from its updates.

    Rules:

    - times are read as UTC (the export has no zone; only differences matter);
    - every update is a status change to its state and an assignment to its group
      and agent; an update logged before ``opened_at`` (5 rows) is moved to it;
    - an empty group (``?``) is the named queue :data:`UNASSIGNED`, because
      ServiceNow's counter counts moving to and from no group as reassignments;
    - a ``Closed`` that later updates reopen (12 incidents) is a solve, not a
      final close: ServiceNow allows reopening closed incidents, the ticket model
      does not (a closed ticket is final).
    """
    numbers = log["number"].tolist()
    created_at = log["opened_at"].dt.to_pydatetime().tolist()
    updated_at = log["sys_updated_at"].dt.to_pydatetime().tolist()
    state_names = log["ident_state"].tolist()
    group_names = log["assignment_group"].tolist()
    agent_names = log["assigned_to"].tolist()
    contact = log["contact_type"].tolist()
    # Rows of one incident are contiguous in the file: cut the columns at each new number.
    starts = [i for i in range(len(numbers)) if i == 0 or numbers[i] != numbers[i - 1]]
    tickets = []
    for start, end in zip(starts, [*starts[1:], len(numbers)], strict=True):
        created = created_at[start]
        states = [SERVICENOW_STATES[s] for s in state_names[start:end]]
        states = [
            "solved" if s == "closed" and i < len(states) - 1 else s for i, s in enumerate(states)
        ]
        times = [max(t, created) for t in updated_at[start:end]]
        groups = [UNASSIGNED if g == "?" else g for g in group_names[start:end]]
        agents = [None if a == "?" else a for a in agent_names[start:end]]
        changes = [StatusChange(at=t, status=s) for t, s in zip(times, states, strict=True)]
        tickets.append(
            Ticket(
                id=numbers[start],
                created_at=created,
                channel=_channel(contact[start]),
                status=max(zip(times, range(len(times)), states, strict=True))[
                    2
                ],  # latest; ties: file order
                status_changes=changes,
                assignments=[
                    Assignment(at=t, agent_id=a, group=g)
                    for t, a, g in zip(times, agents, groups, strict=True)
                ],
            )
        )
    return tickets


def _channel(contact_type: str) -> str:
    return {"Phone": "phone", "Email": "email", "Self service": "web"}.get(contact_type, "other")


def read_twitter(data: Path) -> pd.DataFrame:
    """The tweets. Only ``\\n`` ends a line: tweet 3399 holds bare carriage returns."""
    tweets = pd.read_csv(data / TWITTER, dtype=str, keep_default_na=False, lineterminator="\n")
    tweets = tweets.drop(columns=[c for c in tweets.columns if c.startswith("Unnamed")])
    tweets["tweet_id"] = tweets["tweet_id"].astype(int)
    tweets["in_response_to_tweet_id"] = pd.to_numeric(
        tweets["in_response_to_tweet_id"], errors="coerce"
    )
    tweets["created_at"] = pd.to_datetime(tweets["created_at"], format="%a %b %d %H:%M:%S %z %Y")
    tweets["inbound"] = tweets["inbound"] == "True"
    return tweets


def twitter_threads(tweets: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Assign each tweet to its thread: the root customer tweet it (indirectly) answers.

    Returns the tweets of the kept threads with a ``thread`` and a ``brand`` column,
    and the count of threads dropped under each rule:

    - ``cut``: the root is not in the excerpt (a reply points outside the file);
    - ``brand_root``: the root is a brand's tweet (no customer asked);
    - ``brands``: more than one brand answers in the thread;
    - ``early``: a reply is timed before the root (clock skew in the export).
    """
    parent = dict(zip(tweets["tweet_id"], tweets["in_response_to_tweet_id"], strict=True))
    known = set(parent)

    def root(tweet: int) -> int | None:
        seen = 0
        while True:
            up = parent[tweet]
            if pd.isna(up):
                return tweet
            if int(up) not in known or seen > len(parent):
                return None
            tweet, seen = int(up), seen + 1

    tweets = tweets.assign(thread=[root(t) for t in tweets["tweet_id"]])
    dropped = {"cut": int(tweets.loc[tweets["thread"].isna(), "tweet_id"].size)}
    tweets = tweets.dropna(subset=["thread"]).astype({"thread": int})
    inbound_root = tweets.set_index("tweet_id")["inbound"]
    brand_root = ~tweets["thread"].map(inbound_root)
    dropped["brand_root"] = int(tweets.loc[brand_root, "thread"].nunique())
    tweets = tweets[~brand_root]
    brands = tweets[~tweets["inbound"]].groupby("thread")["author_id"].agg(["nunique", "first"])
    several = brands.index[brands["nunique"] > 1]
    dropped["brands"] = len(several)
    tweets = tweets[~tweets["thread"].isin(several)]
    root_time = tweets[tweets["tweet_id"] == tweets["thread"]].set_index("thread")["created_at"]
    early = tweets.loc[tweets["created_at"] < tweets["thread"].map(root_time), "thread"].unique()
    dropped["early"] = len(early)
    tweets = tweets[~tweets["thread"].isin(early)]
    tweets = tweets.assign(brand=tweets["thread"].map(brands["first"]))
    return tweets, dropped


def twitter_tickets(threads: pd.DataFrame) -> list[Ticket]:
    """One ticket per thread, created at the root tweet, grouped by brand; unanswered ones too."""
    tickets = []
    for thread, rows in threads.groupby("thread", sort=False):
        rows = rows.sort_values("created_at", kind="stable")
        created: datetime = rows["created_at"].iloc[0].to_pydatetime()
        brand = rows["brand"].iloc[0]
        tickets.append(
            Ticket(
                id=str(thread),
                created_at=created,
                channel="social",
                group=None if pd.isna(brand) else brand,
                interactions=[
                    Message(
                        at=t.to_pydatetime(),
                        author="customer" if inbound else "agent",
                        agent_id=None if inbound else author,
                    )
                    for t, inbound, author in zip(
                        rows["created_at"], rows["inbound"], rows["author_id"], strict=True
                    )
                ],
            )
        )
    return tickets
