//! `user set-tier` and `user set-staff`.
use super::*;

/// Sets a person's tier until a day (UTC midnight), or for good. Payment integration would
/// call the same.
pub(super) async fn set_tier(config: Config, email: &str, tier: &str, rest: &[&str]) -> Result<()> {
    anyhow::ensure!(matches!(tier, "free" | "premium" | "enterprise"), "the tier is free, premium or enterprise");
    let until = match rest {
        [] => None,
        ["--until", day] => {
            let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .with_context(|| format!("{day:?} is not a day like 2027-01-31"))?;
            Some(day.and_hms_opt(0, 0, 0).context("midnight")?.and_utc())
        }
        _ => anyhow::bail!("{USAGE}"),
    };
    let pool = migration_pool(&config).await?;
    let changed = sqlx::query(
        "UPDATE users SET subscription_status = $2, subscription_expires_at = $3::text::timestamptz, updated_at = NOW()
         WHERE lower(email) = lower($1)",
    )
    .bind(email.trim())
    .bind(tier)
    .bind(until.map(|u| u.to_rfc3339()))
    .execute(&pool)
    .await?
    .rows_affected();
    pool.close().await;
    anyhow::ensure!(changed == 1, "no account uses {email}");
    match until {
        Some(until) => println!("{email}: {tier} until {}", until.format("%Y-%m-%d")),
        None => println!("{email}: {tier}"),
    }
    Ok(())
}

pub(super) async fn set_staff(config: Config, email: &str, staff: bool) -> Result<()> {
    let pool = migration_pool(&config).await?;
    let changed = sqlx::query("UPDATE users SET is_staff = $2, updated_at = NOW() WHERE lower(email) = lower($1)")
        .bind(email.trim())
        .bind(staff)
        .execute(&pool)
        .await?
        .rows_affected();
    pool.close().await;
    anyhow::ensure!(changed == 1, "no account uses {email}");
    println!("{email}: {}", if staff { "staff" } else { "not staff" });
    Ok(())
}
