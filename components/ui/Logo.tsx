export function Logo({ className = 'logo' }: { className?: string }) {
  return (
    <span className={className}>
      <svg viewBox="0 0 32 32" aria-hidden="true" className="logo-mark">
        <rect width="32" height="32" rx="7" fill="#4f46e5" />
        <path
          d="M5 17h5l3-7 5 13 3-6h6"
          fill="none"
          stroke="#fff"
          strokeWidth="2.6"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
      <span className="logo-word">Pulse</span>
    </span>
  );
}
