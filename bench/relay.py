# relay.py LISTEN_PORT SERVER_PORT DELAY_MS: a TCP relay on 127.0.0.1 that holds every chunk
# DELAY_MS before passing it on, each way (used where the kernel has no netem).
import asyncio, sys, time
listen, server, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000

async def pump(reader, writer):
    # read as fast as data comes, deliver each chunk `delay` after it arrived, in order
    queue = asyncio.Queue()
    async def deliver():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()
    task = asyncio.ensure_future(deliver())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            queue.put_nowait((time.monotonic() + delay, data))
    finally:
        queue.put_nowait((0, None))
        await task

async def client(creader, cwriter):
    sreader, swriter = await asyncio.open_connection("127.0.0.1", server)
    await asyncio.gather(pump(creader, swriter), pump(sreader, cwriter), return_exceptions=True)

async def main():
    srv = await asyncio.start_server(client, "127.0.0.1", listen, backlog=512)
    async with srv:
        await srv.serve_forever()

asyncio.run(main())
