import { Panel } from '@/components/ui/Panel';
import { formatNumber } from '@/lib/format';
import type { LiveSnapshot } from '@/lib/live';

const MAX_ROWS = 10;

export function InventoryPanel({ snapshot }: { snapshot: LiveSnapshot }) {
  const { tracked, lowStockThreshold, lowStock } = snapshot.inventory;
  const rows = [...lowStock].sort((a, b) => a.stock - b.stock);
  return (
    <Panel
      title="Low stock"
      meta={`${formatNumber(tracked)} products tracked · threshold ${formatNumber(lowStockThreshold)}`}
      testId="inventory-panel"
    >
      {tracked === 0 ? (
        <p className="muted">No stock levels known yet.</p>
      ) : rows.length === 0 ? (
        <p className="muted">Every tracked product is above the low-stock threshold.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Product</th>
              <th className="num">Stock</th>
              <th className="level-col" aria-label="Level" />
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, MAX_ROWS).map((item) => (
              <tr key={item.productId} data-testid="low-stock-item" data-product={item.productId}>
                <td className="mono">{item.productId}</td>
                <td className={`num ${item.stock <= 0 ? 'text-critical' : 'text-warning'}`}>
                  {item.stock <= 0 ? 'out of stock' : formatNumber(item.stock)}
                </td>
                <td className="level-col">
                  <span className="level-track">
                    <span
                      className={`level-fill ${item.stock <= 0 ? 'bg-critical' : 'bg-warning'}`}
                      style={{ width: `${Math.max(4, Math.min(100, (item.stock / Math.max(1, lowStockThreshold)) * 100))}%` }}
                    />
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows.length > MAX_ROWS && <p className="muted small">and {rows.length - MAX_ROWS} more below the threshold</p>}
    </Panel>
  );
}
