/** Real city coordinates for users' home locations and for far-away fraud locations. */
export interface City {
  name: string;
  country: string;
  lat: number;
  lon: number;
  /** share of the shop's customers living here (0 = only used as a far-away location) */
  customers: number;
}

export const CITIES: readonly City[] = [
  { name: 'Berlin', country: 'DE', lat: 52.52, lon: 13.405, customers: 10 },
  { name: 'Munich', country: 'DE', lat: 48.137, lon: 11.575, customers: 6 },
  { name: 'Hamburg', country: 'DE', lat: 53.551, lon: 9.993, customers: 5 },
  { name: 'Cologne', country: 'DE', lat: 50.938, lon: 6.96, customers: 4 },
  { name: 'Paris', country: 'FR', lat: 48.857, lon: 2.352, customers: 8 },
  { name: 'Lyon', country: 'FR', lat: 45.764, lon: 4.836, customers: 3 },
  { name: 'Madrid', country: 'ES', lat: 40.417, lon: -3.704, customers: 5 },
  { name: 'Barcelona', country: 'ES', lat: 41.385, lon: 2.173, customers: 4 },
  { name: 'Rome', country: 'IT', lat: 41.903, lon: 12.496, customers: 4 },
  { name: 'Milan', country: 'IT', lat: 45.464, lon: 9.19, customers: 4 },
  { name: 'Amsterdam', country: 'NL', lat: 52.368, lon: 4.904, customers: 5 },
  { name: 'Brussels', country: 'BE', lat: 50.85, lon: 4.352, customers: 3 },
  { name: 'Vienna', country: 'AT', lat: 48.208, lon: 16.374, customers: 4 },
  { name: 'Zurich', country: 'CH', lat: 47.377, lon: 8.541, customers: 2 },
  { name: 'Warsaw', country: 'PL', lat: 52.23, lon: 21.012, customers: 3 },
  { name: 'Prague', country: 'CZ', lat: 50.075, lon: 14.438, customers: 2 },
  { name: 'Stockholm', country: 'SE', lat: 59.329, lon: 18.069, customers: 2 },
  { name: 'Copenhagen', country: 'DK', lat: 55.676, lon: 12.568, customers: 2 },
  { name: 'Dublin', country: 'IE', lat: 53.35, lon: -6.26, customers: 2 },
  { name: 'Lisbon', country: 'PT', lat: 38.722, lon: -9.139, customers: 2 },
  { name: 'Helsinki', country: 'FI', lat: 60.17, lon: 24.938, customers: 1 },
  { name: 'Athens', country: 'GR', lat: 37.984, lon: 23.728, customers: 1 },
  { name: 'London', country: 'GB', lat: 51.507, lon: -0.128, customers: 3 },
  { name: 'New York', country: 'US', lat: 40.713, lon: -74.006, customers: 1 },
  { name: 'Toronto', country: 'CA', lat: 43.653, lon: -79.383, customers: 0 },
  { name: 'Mexico City', country: 'MX', lat: 19.433, lon: -99.133, customers: 0 },
  { name: 'São Paulo', country: 'BR', lat: -23.55, lon: -46.633, customers: 0 },
  { name: 'Lagos', country: 'NG', lat: 6.524, lon: 3.379, customers: 0 },
  { name: 'Johannesburg', country: 'ZA', lat: -26.204, lon: 28.047, customers: 0 },
  { name: 'Mumbai', country: 'IN', lat: 19.076, lon: 72.878, customers: 0 },
  { name: 'Singapore', country: 'SG', lat: 1.352, lon: 103.82, customers: 0 },
  { name: 'Tokyo', country: 'JP', lat: 35.676, lon: 139.65, customers: 0 },
  { name: 'Sydney', country: 'AU', lat: -33.869, lon: 151.209, customers: 0 },
];

export const HOME_CITIES: readonly City[] = CITIES.filter((c) => c.customers > 0);

/** Great-circle distance (haversine) in kilometres. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Cities at least `minKm` away from `from`, in another country: where a hijacked account "appears". */
export function farAwayFrom(from: City, minKm = 3000): City[] {
  return CITIES.filter((c) => c.country !== from.country && distanceKm(from, c) >= minKm);
}

export const asLocation = (city: City) => ({ country: city.country, lat: city.lat, lon: city.lon });
