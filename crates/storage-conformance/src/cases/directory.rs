//! The directory at scale: the bulk load into an empty directory, the tally that counts it, and
//! keyset pages, each checked against the rows themselves.

use super::platform;
use crate::harness::Harness;
use ssj_app::Actor;
use ssj_app::imports::ImportMode;
use ssj_domain::objects::{ObjectKind, RegistrationStatus, Tier};
use ssj_merkle::HashAlg;
use ssj_storage::{Object, ObjectFilter};
use std::collections::BTreeMap;

/// Tier counts computed from the matching rows themselves.
fn counted(rows: &[Object]) -> BTreeMap<&'static str, u64> {
    let mut out = BTreeMap::new();
    for o in rows {
        *out.entry(o.tier.label()).or_insert(0) += 1;
    }
    out
}

pub async fn directory_tally_and_keyset_pages_follow_every_change(h: &dyn Harness) {
    let fresh = h.fresh().await;
    let p = platform(&fresh, HashAlg::Sha256).await;
    let cli = Actor::command_line();
    let divisions: Vec<String> = ["140581", "140502", "140302"].map(String::from).to_vec();
    let mut csv = Vec::new();
    ssj_app::generate::write_objects_csv(&mut csv, 3_000, &divisions, 11).unwrap();
    let s = p
        .import_objects(&cli, csv, ImportMode::AllOrNothing, false)
        .await
        .unwrap();
    assert_eq!(s.new, 3_000);

    // Changes by hand and by a second file move objects between tally cells.
    let all = ObjectFilter {
        limit: 10_000,
        ..Default::default()
    };
    let (rows, total) = fresh.store.objects(&all).await.unwrap();
    assert_eq!((rows.len(), total), (3_000, 3_000));
    for o in rows.iter().take(5) {
        let row = ssj_import::objects::ObjectRow {
            name: o.name.clone(),
            kind: "农民专业合作社".into(),
            division: "140302".into(),
            tier: "D".into(),
            status: "吊销".into(),
            ..Default::default()
        };
        p.edit_object(&cli, &o.code, row, "核查更正").await.unwrap();
    }
    let mut second = String::from("统一社会信用代码,名称,信用风险分类,登记状态\n");
    for o in rows.iter().skip(100).take(20) {
        second.push_str(&format!("{},{},C,注销\n", o.code, o.name));
    }
    let s = p
        .import_objects(&cli, second.into_bytes(), ImportMode::AllOrNothing, false)
        .await
        .unwrap();
    assert_eq!((s.new, s.changed), (0, 20));
    assert!(p.verify().await.unwrap().problem.is_none());

    let filters = [
        ObjectFilter::default(),
        ObjectFilter {
            division: Some("140302".into()),
            ..Default::default()
        },
        ObjectFilter {
            division: Some("140500".into()),
            status: Some(RegistrationStatus::Active),
            ..Default::default()
        },
        ObjectFilter {
            kind: Some(ObjectKind::Cooperative),
            tier: Some(Tier::D),
            ..Default::default()
        },
        ObjectFilter {
            status: Some(RegistrationStatus::Cancelled),
            ..Default::default()
        },
    ];
    for f in filters {
        assert!(f.tally_serves());
        let everything = ObjectFilter {
            limit: 10_000,
            ..f.clone()
        };
        let (rows, total) = fresh.store.objects(&everything).await.unwrap();
        assert_eq!(total as usize, rows.len(), "{f:?}");
        let tiers: BTreeMap<&str, u64> = fresh
            .store
            .object_tier_counts(&ObjectFilter {
                tier: None,
                ..f.clone()
            })
            .await
            .unwrap()
            .into_iter()
            .map(|(t, n)| (t.label(), n))
            .collect();
        let (untiered, _) = fresh
            .store
            .objects(&ObjectFilter {
                tier: None,
                ..everything.clone()
            })
            .await
            .unwrap();
        assert_eq!(tiers, counted(&untiered), "{f:?}");

        // Keyset pages of 7 walk the same rows, in (division, code) order, without repeats.
        let mut walked = Vec::new();
        let mut page = ObjectFilter {
            limit: 7,
            ..f.clone()
        };
        loop {
            let (got, _) = fresh.store.objects(&page).await.unwrap();
            let Some(last) = got.last() else { break };
            page.after = Some((last.division.clone(), last.code.clone()));
            walked.extend(got.into_iter().map(|o| o.code));
        }
        assert_eq!(
            walked,
            rows.iter().map(|o| o.code.clone()).collect::<Vec<_>>()
        );
        let keys: Vec<_> = rows.iter().map(|o| (&o.division, &o.code)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "list order");
    }

    // A count the tally cannot serve stops at the cap, and says more by exceeding it.
    let search = ObjectFilter {
        q: Some("高平市".into()),
        count_cap: Some(100),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(fresh.store.objects(&search).await.unwrap().1, 101);
}
