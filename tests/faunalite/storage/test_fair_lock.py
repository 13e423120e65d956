"""``FairLock``: granted in arrival order, given up at the waiter's deadline."""

from __future__ import annotations

import threading
import time

from faunalite.storage.fair_lock import FairLock


def wait_until(condition: object, seconds: float = 5) -> None:
    give_up = time.monotonic() + seconds
    while not condition() and time.monotonic() < give_up:  # type: ignore[operator]
        time.sleep(0.001)


def test_waiters_get_the_lock_in_the_order_they_asked() -> None:
    lock = FairLock()
    lock.acquire()
    granted: list[int] = []

    def waiter(number: int) -> None:
        with lock:
            granted.append(number)

    threads = []
    for number in range(8):
        thread = threading.Thread(target=waiter, args=(number,))
        thread.start()
        threads.append(thread)
        # Queued before the next one starts.
        wait_until(lambda count=number + 1: len(lock._waiters) == count)
    lock.release()
    for thread in threads:
        thread.join()
    assert granted == list(range(8))
    assert not lock.locked()


def test_a_releasing_thread_coming_straight_back_queues_behind_the_waiter() -> None:
    # threading.Lock lets the releaser take it again at once, starving the waiter.
    lock = FairLock()
    lock.acquire()
    order: list[str] = []
    waiter = threading.Thread(
        target=lambda: (lock.acquire(), order.append("waiter"), lock.release())
    )
    waiter.start()
    wait_until(lambda: len(lock._waiters) == 1)
    lock.release()
    with lock:
        order.append("releaser")
    waiter.join()
    assert order == ["waiter", "releaser"]


def test_a_waiter_gives_up_at_its_deadline_and_leaves_the_queue() -> None:
    lock = FairLock()
    lock.acquire()
    started = time.monotonic()
    assert lock.acquire(deadline=time.monotonic() + 0.1) is False
    assert 0.1 <= time.monotonic() - started < 2
    assert not lock._waiters
    lock.release()
    assert lock.acquire(deadline=time.monotonic() + 0.1) is True
    lock.release()
    assert not lock.locked()


def test_a_free_lock_is_taken_even_past_the_deadline() -> None:
    lock = FairLock()
    assert lock.acquire(deadline=time.monotonic() - 1) is True
    lock.release()
