import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="not-found">
      <h1>Page not found</h1>
      <p>
        Pulse has a <Link href="/">live overview</Link> and a <Link href="/wall">wall display</Link>.
      </p>
    </main>
  );
}
