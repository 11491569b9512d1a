//! `seed-registry URL [USER PASSWORD]`: pushes the demo images into a running registry.

use end2end::seed::{seed_demo, Pusher};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: seed-registry URL [USER PASSWORD]"))?;
    let basic = args.next().zip(args.next());
    let pusher = Pusher::new(reqwest::Client::new(), url.parse()?, basic);
    let seeded = seed_demo(&pusher).await?;
    println!("seeded {} tags into {url}", seeded.len());
    Ok(())
}
