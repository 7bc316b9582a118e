"""What the SMTP filter and the milter share: a server on its own event-loop thread, scans on
worker threads, and a shutdown that loses no message.

Stopping (SIGTERM): the listening socket is closed at once; a connection between messages is
closed (the SMTP filter says `421` first); a message in flight may finish for `grace` seconds,
after which its scan is abandoned and it is answered "try again later" (4xx), so the MTA keeps
it and retries. Abandoned scans run on daemon threads, so they never hold up the exit.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

log = logging.getLogger("smscan.server")

T = TypeVar("T")
Address = tuple[str, int]

# After the grace period, how long answers already on their way (a relay to the next hop, a
# reply being written) may still take before the remaining connections are cut.
_LAST_REPLIES_SECONDS = 5.0


class ShuttingDown(Exception):
    """The server stopped before this message's scan finished: answer 'try again later'."""


class Session(Protocol):
    """A client connection, as the server sees it when stopping."""

    @property
    def busy(self) -> bool:
        """A message is in flight (between its first command and the reply to it)."""

    @property
    def answering(self) -> bool:
        """Its message has been received and is being checked or relayed."""

    def close_idle(self) -> None:
        """Close the connection now: no message is in flight."""

    def abort(self) -> None:
        """Cut the connection: the server is going away."""


class ScanThreads:
    """A fixed set of daemon threads running scans (a message at a time each).

    Not a ThreadPoolExecutor: its threads are joined at interpreter exit, so one long scan
    abandoned at shutdown kept the process alive (a 33 s exit was measured)."""

    def __init__(self, workers: int, name: str = "smscan-scan") -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None] = (
            queue.SimpleQueue())
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{n}", daemon=True)
                         for n in range(max(1, workers))]
        for thread in self._threads:
            thread.start()

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((future, function, args))
        return future

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, function, args = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as error:  # handed to whoever waits for it
                future.set_exception(error)


class MailServer:
    """A listening socket served by an asyncio loop on a thread of its own.

    `protocol_factory(server)` makes the protocol of each connection; connections register
    themselves with `add` and `discard`, so that `stop` can close them as described above."""

    def __init__(self, protocol_factory: Callable[[MailServer], asyncio.BaseProtocol], listen: Address,
                 workers: int) -> None:
        self.listen = listen
        self.threads = ScanThreads(workers)
        self.sessions: set[Session] = set()
        self.stopping = False
        self.loop = asyncio.new_event_loop()
        self._factory = protocol_factory
        self._server: asyncio.base_events.Server | None = None
        self._abandon: asyncio.Event | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, name="smscan-loop", daemon=True)

    @property
    def address(self) -> Address:
        """Where it listens: with port 0 in `listen`, the port the system chose."""
        assert self._server is not None
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    def start(self) -> None:
        """Listen, or raise OSError (address in use, not an address of this host)."""
        self._thread.start()
        try:
            self._call(self._listen()).result()
        except BaseException:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join()
            self.threads.close()
            raise

    def stop(self, grace: float = 30.0) -> None:
        """Stop accepting, let messages in flight finish for up to `grace` seconds, then leave."""
        if not self._thread.is_alive():
            return
        try:
            self._call(self._shut_down(grace)).result(grace + _LAST_REPLIES_SECONDS + 5.0)
        except TimeoutError:  # the loop is stuck: leave anyway, the MTA keeps what was not answered
            log.error("connections did not close in time; exiting")
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(5.0)
            self.threads.close()

    def add(self, session: Session) -> None:
        if self.stopping:
            session.abort()
        else:
            self.sessions.add(session)

    def discard(self, session: Session) -> None:
        self.sessions.discard(session)

    async def scan(self, function: Callable[..., T], *args: Any,
                   keepalive: Callable[[], Awaitable[None]] | None = None, every: float = 30.0) -> T:
        """`function(*args)` on a scan thread; `keepalive()` every `every` seconds meanwhile.

        Raises ShuttingDown when the server stops and its grace runs out before the scan ends."""
        assert self._abandon is not None
        result = asyncio.wrap_future(self.threads.submit(function, *args))
        abandoned = asyncio.ensure_future(self._abandon.wait())
        try:
            while True:
                done, _ = await asyncio.wait({result, abandoned}, timeout=every,
                                             return_when=asyncio.FIRST_COMPLETED)
                if result in done:
                    return result.result()
                if abandoned in done:
                    result.cancel()  # a scan not yet started never starts
                    raise ShuttingDown
                if keepalive is not None:
                    await keepalive()
        finally:
            abandoned.cancel()

    def _call(self, coroutine: Awaitable[T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)  # type: ignore[arg-type]

    async def _listen(self) -> None:
        self._abandon = asyncio.Event()
        host, port = self.listen
        self._server = await self.loop.create_server(lambda: self._factory(self), host, port)

    async def _shut_down(self, grace: float) -> None:
        assert self._server is not None and self._abandon is not None
        self.stopping = True
        self._server.close()
        busy = sum(session.busy for session in self.sessions)
        log.info("stopping: %d connection(s), %d with a message in flight", len(self.sessions), busy)
        await self._close_sessions(self.loop.time() + grace, cut_receiving=False)
        if self.sessions:
            log.warning("%d message(s) still in flight after %g s: answering 'try again later'",
                        len(self.sessions), grace)
        self._abandon.set()  # scans are abandoned: their messages are answered "try again later"
        await self._close_sessions(self.loop.time() + _LAST_REPLIES_SECONDS, cut_receiving=True)
        for session in list(self.sessions):
            session.abort()
        await self._finish_tasks()

    async def _close_sessions(self, deadline: float, cut_receiving: bool) -> None:
        """Close each connection as soon as no message is in flight on it, until `deadline`.

        With `cut_receiving`, also cut those still receiving a message (the MTA keeps it)."""
        while True:
            for session in list(self.sessions):
                if not session.busy:
                    session.close_idle()
                elif cut_receiving and not session.answering:
                    session.abort()
                else:
                    continue
                self.sessions.discard(session)
            if not self.sessions or self.loop.time() >= deadline:
                return
            await asyncio.sleep(0.05)

    async def _finish_tasks(self) -> None:
        """Let the connections' last tasks (closing a next hop, a session's end) run, briefly."""
        tasks = asyncio.all_tasks() - {asyncio.current_task()}
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=2.0)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
