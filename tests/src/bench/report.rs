//! The one table the benchmark prints.

use std::{collections::HashMap, fmt::Write, time::Duration};

use super::{load::Outcome, mail::Pipeline, surveys::Figures};

pub struct Row {
    pub part: &'static str,
    pub figure: String,
    pub backend: &'static str,
    pub ours: String,
    pub baseline: String,
    pub ratio: String,
    pub target: String,
    /// `Some(met)` where the issue sets a target.
    pub met: Option<bool>,
}

#[derive(Default)]
pub struct Report {
    pub rows: Vec<Row>,
    /// Peak memory of the SQL baseline server, per backend: the floor a Rust service on the same
    /// database driver and runtime starts from.
    floor_mib: HashMap<&'static str, f64>,
    /// p50 at the smallest size, per backend, for the scale rows.
    scale_first: HashMap<&'static str, f64>,
}

fn ms(v: f64) -> String {
    if v >= 100.0 { format!("{v:.0}") } else { format!("{v:.2}") }
}

fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}", a / b)
}

/// `p50 / p99` of ours, of the baseline, and their ratios, then the target.
fn latency_cells(ours: &Outcome, base: &Outcome, target: &str) -> [String; 4] {
    let (p50, p99, b50, b99) =
        (ours.quantile_ms(0.5), ours.quantile_ms(0.99), base.quantile_ms(0.5), base.quantile_ms(0.99));
    [
        format!("{} / {}", ms(p50), ms(p99)),
        format!("{} / {}", ms(b50), ms(b99)),
        format!("{} / {}", ratio(p50, b50), ratio(p99, b99)),
        target.to_owned(),
    ]
}

impl Report {
    fn push(
        &mut self,
        part: &'static str,
        figure: String,
        backend: &'static str,
        cells: [String; 4],
        met: Option<bool>,
    ) {
        let [ours, baseline, ratio, target] = cells;
        self.rows.push(Row { part, figure, backend, ours, baseline, ratio, target, met });
    }

    pub fn read(&mut self, backend: &'static str, conns: usize, ours: &Outcome, base: &Outcome) {
        let r = ours.per_second() / base.per_second();
        self.push(
            "1 read",
            format!("req/s, {conns} conn"),
            backend,
            [
                format!("{:.0}", ours.per_second()),
                format!("{:.0}", base.per_second()),
                format!("{r:.2}"),
                "≥ 0.50".into(),
            ],
            Some(r >= 0.5),
        );
        let at16 = conns == 16;
        self.push(
            "1 read",
            format!("p50 / p99 ms, {conns} conn"),
            backend,
            latency_cells(ours, base, if at16 { "p99 < 50 ms" } else { "" }),
            at16.then_some(ours.quantile_ms(0.99) < 50.0),
        );
    }

    pub fn statements(&mut self, backend: &'static str, counts: &[(usize, usize)]) {
        let sizes: Vec<String> = counts.iter().map(|c| c.0.to_string()).collect();
        let ours: Vec<String> = counts.iter().map(|c| c.1.to_string()).collect();
        let constant = counts.windows(2).all(|w| w[0].1 == w[1].1);
        let last = counts.last().map_or(0, |c| c.1);
        self.push(
            "2 SQL per read",
            format!("statements at {} engagements", sizes.join(" / ")),
            backend,
            [ours.join(" / "), "3".into(), ratio(last as f64, 3.0), "constant".into()],
            Some(constant),
        );
    }

    pub fn write(&mut self, backend: &'static str, conns: usize, ours: &Outcome, base: &Outcome) {
        let r = ours.per_second() / base.per_second();
        self.push(
            "3 write",
            format!("participantInvite req/s, {conns} conn"),
            backend,
            [
                format!("{:.0}", ours.per_second()),
                format!("{:.0}", base.per_second()),
                format!("{r:.2}"),
                String::new(),
            ],
            None,
        );
        let sqlite = backend == "SQLite";
        self.push(
            "3 write",
            format!("p50 / p99 ms, {conns} conn"),
            backend,
            latency_cells(ours, base, if sqlite { "p99 < 25 ms" } else { "" }),
            sqlite.then_some(ours.quantile_ms(0.99) < 25.0),
        );
        self.push(
            "3 write",
            format!("\"database is locked\" (of {} requests)", ours.ok + ours.errors),
            backend,
            [ours.locked.to_string(), base.locked.to_string(), String::new(), "0".into()],
            Some(ours.locked == 0),
        );
    }

    pub fn pipeline(&mut self, backend: &'static str, workers: usize, run: &Pipeline, n: usize, base: Duration) {
        let (ours, theirs) = (run.sent as f64 / run.elapsed.as_secs_f64(), n as f64 / base.as_secs_f64());
        let r = ours / theirs;
        self.push(
            "4 email",
            format!(
                "{n} invitations, emails/s, {workers} worker{} ({} duplicates)",
                if workers > 1 { "s" } else { "" },
                run.duplicates
            ),
            backend,
            [format!("{ours:.0}"), format!("{theirs:.0}"), format!("{r:.2}"), "≥ 0.80".into()],
            Some(r >= 0.8),
        );
        let floor = self.floor_mib.get(backend).copied().unwrap_or(f64::NAN);
        self.push(
            "6 memory",
            format!("worker peak RSS MiB, {workers} worker{}", if workers > 1 { "s" } else { "" }),
            backend,
            [format!("{:.1}", run.peak_rss_mib), format!("{floor:.1}"), ratio(run.peak_rss_mib, floor), String::new()],
            None,
        );
    }

    pub fn scale(&mut self, backend: &'static str, stored: usize, ours: &Outcome, base: &Outcome) {
        let p50 = ours.quantile_ms(0.5);
        let first = *self.scale_first.entry(backend).or_insert(p50);
        let flat = p50 <= first * 1.5;
        self.push(
            "5 scale",
            format!("read p50 / p99 ms, {stored} stored"),
            backend,
            [
                format!("{} / {}", ms(p50), ms(ours.quantile_ms(0.99))),
                format!("{} / {}", ms(base.quantile_ms(0.5)), ms(base.quantile_ms(0.99))),
                format!("{} (p50 vs smallest)", ratio(p50, first)),
                "≤ 1.5 × smallest".into(),
            ],
            Some(flat),
        );
    }

    pub fn memory_api(&mut self, backend: &'static str, ours: f64, base: f64) {
        self.floor_mib.insert(backend, base);
        self.push(
            "6 memory",
            "API peak RSS MiB, during read".into(),
            backend,
            [format!("{ours:.1}"), format!("{base:.1}"), ratio(ours, base), "< 100 MB".into()],
            Some(ours * 1.048_576 < 100.0),
        );
    }

    pub fn timeliness(&mut self, backend: &'static str, n: usize, ours: &[f64], base: &[f64]) {
        let q = |v: &[f64], q: f64| {
            let us: Vec<u64> = v.iter().map(|x| (x.max(0.0) * 1000.0) as u64).collect();
            super::load::quantile_ms(&us, q)
        };
        let (p50, p99, b50, b99) = (q(ours, 0.5), q(ours, 0.99), q(base, 0.5), q(base, 0.99));
        self.push(
            "7 timeliness",
            format!("lateness p50 / p99 ms, {n} due at once"),
            backend,
            [
                format!("{} / {}", ms(p50), ms(p99)),
                format!("{} / {}", ms(b50), ms(b99)),
                format!("{} / {}", ratio(p50, b50), ratio(p99, b99)),
                String::new(),
            ],
            None,
        );
    }

    pub fn surveys(&mut self, backend: &'static str, f: &Figures) {
        for (what, (ours, theirs), n) in [
            ("invitations", f.invitations, f.recipients),
            ("reminders (to non-responders only)", f.reminders, f.reminded),
        ] {
            self.push(
                "8 surveys",
                format!("{n} {what}, emails/s, 1 worker"),
                backend,
                [format!("{ours:.0}"), format!("{theirs:.0}"), ratio(ours, theirs), String::new()],
                None,
            );
        }
        let (first, first_rows) = f.first;
        self.push(
            "8 surveys",
            format!("results of {} responses, first read ms (figures computed)", f.recipients),
            backend,
            [ms(first), ms(first_rows), ratio(first, first_rows), String::new()],
            None,
        );
        let p99 = f.results.quantile_ms(0.99);
        self.push(
            "8 surveys",
            format!("results of {} responses p50 / p99 ms, 1 conn, figures kept (baseline: the rows)", f.recipients),
            backend,
            latency_cells(&f.results, &f.rows, "p99 < 100 ms"),
            Some(p99 < 100.0),
        );
    }

    pub fn detail_statements(&mut self, backend: &'static str, counts: &[(usize, usize)]) {
        let sizes: Vec<String> = counts.iter().map(|c| c.0.to_string()).collect();
        let ours: Vec<String> = counts.iter().map(|c| c.1.to_string()).collect();
        let constant = counts.windows(2).all(|w| w[0].1 == w[1].1);
        let last = counts.last().map_or(0, |c| c.1);
        self.push(
            "9 detail",
            format!("statements at {} sessions", sizes.join(" / ")),
            backend,
            [ours.join(" / "), "12".into(), ratio(last as f64, 12.0), "constant".into()],
            Some(constant),
        );
    }

    pub fn detail(&mut self, backend: &'static str, conns: usize, sessions: usize, ours: &Outcome, base: &Outcome) {
        self.push(
            "9 detail",
            format!("req/s, {sessions} sessions, {conns} conn"),
            backend,
            [
                format!("{:.0}", ours.per_second()),
                format!("{:.0}", base.per_second()),
                ratio(ours.per_second(), base.per_second()),
                String::new(),
            ],
            None,
        );
        self.push(
            "9 detail",
            format!("p50 / p99 ms, {sessions} sessions, {conns} conn"),
            backend,
            latency_cells(ours, base, ""),
            None,
        );
    }

    pub fn tracker(&mut self, backend: &'static str, conns: usize, n: usize, ours: &Outcome, base: &Outcome) {
        self.push(
            "10 tracker",
            format!("req/s, first page of {n} recommendations, {conns} conn"),
            backend,
            [
                format!("{:.0}", ours.per_second()),
                format!("{:.0}", base.per_second()),
                ratio(ours.per_second(), base.per_second()),
                String::new(),
            ],
            None,
        );
        self.push(
            "10 tracker",
            format!("p50 / p99 ms, {n} recommendations, {conns} conn"),
            backend,
            latency_cells(ours, base, ""),
            None,
        );
    }

    pub fn markdown(&self) -> String {
        let mut out = String::from(
            "| Part | Figure | Backend | PCI Hub | Baseline | Ratio | Target | Met |\n|---|---|---|---:|---:|---:|---|---|\n",
        );
        for r in &self.rows {
            let met = match r.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {met} |",
                r.part, r.figure, r.backend, r.ours, r.baseline, r.ratio, r.target
            );
        }
        out
    }
}
