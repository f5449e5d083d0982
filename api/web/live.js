// Live: while the page shows "now", each record the ledger writes about what is shown redraws it,
// through the change feed (GET /v1/feed, Server-Sent Events; the browser resumes it by itself).

export class Live {
  // `onRecord(record)` is called for each fact, subject or milestone written after the page asked;
  // `badge` is shown while the feed is open.
  constructor(onRecord, badge) {
    this.onRecord = onRecord;
    this.badge = badge;
    this.source = null;
    this.filter = "";
  }

  // Follows the records of `params` (the feed's filters) written since `since` (the server's time of
  // the answer shown, so no clock of the browser's decides); none while `enabled` is false.
  follow(params, enabled, since) {
    const filter = enabled ? new URLSearchParams(params).toString() : "";
    if (filter === this.filter) return;
    this.stop();
    this.filter = filter;
    if (!filter) return;
    const query = new URLSearchParams(params);
    query.set("since", since);
    this.source = new EventSource(`/v1/feed?${query}`);
    this.source.addEventListener("open", () => { this.badge.hidden = false; });
    this.source.addEventListener("error", () => { this.badge.hidden = true; });
    for (const kind of ["fact", "subject", "milestone"]) {
      this.source.addEventListener(kind, (event) => this.onRecord(JSON.parse(event.data)));
    }
  }

  stop() {
    if (this.source) this.source.close();
    this.source = null;
    this.badge.hidden = true;
    this.filter = "";
  }
}
