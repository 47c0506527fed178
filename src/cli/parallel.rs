//! An order-keeping parallel map for `check`: files are read, parsed and checked on every
//! core, and the results come back in the order the files were given, so reports stay
//! deterministic.

use std::sync::atomic::{AtomicUsize, Ordering};

/// More threads than this buys nothing for a batch of small files and costs memory.
const MAX_THREADS: usize = 8;

/// `items.iter().map(f).collect()`, with the calls spread over the available cores.
///
/// Threads take the next unclaimed item from a shared counter rather than a fixed share, so
/// one large file does not leave the other cores idle. A panic in `f` propagates to the
/// caller as it would from a plain loop.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let mut parts: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        // The calling thread works too, instead of only waiting for the others.
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut parts = vec![work()];
        for helper in helpers {
            match helper.join() {
                Ok(part) => parts.push(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        parts
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, result) in parts.drain(..).flatten() {
        slots[i] = Some(result);
    }
    // Every index below `items.len()` was claimed exactly once, so every slot is filled.
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<u64> = (0..1000).collect();
        // Uneven work, so threads finish out of order.
        let out = map(&items, |&n| {
            if n % 7 == 0 {
                std::thread::sleep(std::time::Duration::from_micros(50));
            }
            n * 2
        });
        assert_eq!(out, (0..1000).map(|n| n * 2).collect::<Vec<_>>());
    }

    #[test]
    fn handles_empty_and_single_inputs() {
        assert_eq!(map(&[] as &[u8], |&n| n), Vec::<u8>::new());
        assert_eq!(map(&[5u8], |&n| n + 1), vec![6]);
    }

    #[test]
    fn calls_the_function_once_per_item() {
        let calls = AtomicUsize::new(0);
        let out = map(&[1, 2, 3, 4, 5, 6, 7, 8, 9], |&n| {
            calls.fetch_add(1, Ordering::Relaxed);
            n
        });
        assert_eq!(calls.load(Ordering::Relaxed), 9);
        assert_eq!(out.len(), 9);
    }
}
