/**
 * What the large run's nodes read and write: a tour operator's catalogue of trips (city + stops),
 * weather per stop, LLM prompts and answers of a few hundred characters. Deterministic from a PRNG.
 */
import type { JsonObject } from '../demo/demoContent';

export const CITIES: readonly (readonly [string, string])[] = [
  ['Lisbon', 'Portugal'], ['Porto', 'Portugal'], ['Seville', 'Spain'], ['Valencia', 'Spain'], ['Barcelona', 'Spain'], ['Lyon', 'France'],
  ['Paris', 'France'], ['Bordeaux', 'France'], ['Ghent', 'Belgium'], ['Utrecht', 'Netherlands'], ['Hamburg', 'Germany'], ['Munich', 'Germany'],
  ['Vienna', 'Austria'], ['Salzburg', 'Austria'], ['Ljubljana', 'Slovenia'], ['Zagreb', 'Croatia'], ['Split', 'Croatia'], ['Bologna', 'Italy'],
  ['Naples', 'Italy'], ['Turin', 'Italy'], ['Kraków', 'Poland'], ['Gdańsk', 'Poland'], ['Prague', 'Czechia'], ['Brno', 'Czechia'],
  ['Budapest', 'Hungary'], ['Tallinn', 'Estonia'], ['Riga', 'Latvia'], ['Vilnius', 'Lithuania'], ['Copenhagen', 'Denmark'], ['Bergen', 'Norway'],
  ['Gothenburg', 'Sweden'], ['Helsinki', 'Finland'], ['Edinburgh', 'United Kingdom'], ['Galway', 'Ireland'], ['Kyoto', 'Japan'], ['Osaka', 'Japan'],
  ['Tokyo', 'Japan'], ['Seoul', 'South Korea'], ['Taipei', 'Taiwan'], ['Hanoi', 'Vietnam'], ['Penang', 'Malaysia'], ['Montréal', 'Canada'],
  ['Québec City', 'Canada'], ['New York', 'United States'], ['New Orleans', 'United States'], ['Oaxaca', 'Mexico'], ['Cusco', 'Peru'], ['Valparaíso', 'Chile'],
];

const PLACE_KINDS = [
  'Old Town walking tour', 'Central Market', 'Cathedral and cloister', 'Riverside promenade', 'Modern Art Museum', 'Botanical Garden',
  'Castle hill viewpoint', 'Harbour boat trip', 'Food hall tasting', 'Street-art quarter', 'University library', 'Sunset rooftop bar',
  'Royal palace', 'Flea market', 'Thermal baths', 'City history museum', 'Opera house tour', 'Vineyard day trip',
];

const WEATHER = ['Sunny', 'Partly cloudy', 'Light rain', 'Overcast', 'Showers', 'Clear', 'Windy', 'Thunderstorms'] as const;

const TIPS = [
  'Arrive before the tour groups; the first hour after opening is the quietest.',
  'Buy the combined ticket online to skip the queue at the main entrance.',
  'The side entrance on the north street is step-free and rarely busy.',
  'Locals eat late: lunch between 13:30 and 15:00 is when the stalls are freshest.',
  'Bring cash for the smaller vendors; card terminals are unreliable in the old quarter.',
  'On rainy days the covered arcades connect most of the sights without getting wet.',
  'Evening light is best from the western terrace; tripods need a permit.',
  'Guided tours in English start on the hour and last about 75 minutes.',
] as const;

export const STOP_SYSTEM_PROMPT =
  'You are a meticulous travel planner for a tour operator. For the given stop, write a short plan with timing, ' +
  'one practical tip, an indoor fallback if the weather is poor, and an estimated cost per person in EUR. Be concise.\n' +
  'Rules: answer in English as a bullet list starting with "- "; keep every stop within 60 EUR per person unless the ' +
  'operator notes allow more; prefer step-free routes; never schedule more than 3 hours per stop; mention the meeting ' +
  'point and the nearest public transport stop; flag anything that needs advance booking with "BOOK:".';

export interface Trip {
  readonly tripId: string;
  readonly city: string;
  readonly country: string;
  readonly stops: readonly string[];
  readonly startDate: string;
}

export function trip(index: number, stops: number, pick: () => number): Trip {
  const [city, country] = CITIES[index % CITIES.length]!;
  const first = Math.floor(pick() * PLACE_KINDS.length);
  const day = 1 + (index % 28);
  return {
    tripId: `TRIP-${String(index + 1).padStart(4, '0')}`,
    city,
    country,
    stops: Array.from({ length: stops }, (_, s) => `${city} ${PLACE_KINDS[(first + s * 5) % PLACE_KINDS.length]!}`),
    startDate: `2026-06-${String(day).padStart(2, '0')}`,
  };
}

export const tripItem = (t: Trip): JsonObject => ({ trip_id: t.tripId, city: t.city, country: t.country, start_date: t.startDate, stops: t.stops });

export interface StopWeather {
  readonly date: string;
  readonly summary: string;
  readonly low: number;
  readonly high: number;
}

export function stopWeather(t: Trip, stop: number, pick: () => number): StopWeather {
  const low = 6 + Math.floor(pick() * 14);
  return { date: `${t.startDate.slice(0, 8)}${String(Number(t.startDate.slice(8)) + Math.floor(stop / 2)).padStart(2, '0')}`, summary: WEATHER[Math.floor(pick() * WEATHER.length)]!, low, high: low + 4 + Math.floor(pick() * 9) };
}

export const stopUserPrompt = (t: Trip, place: string, w: StopWeather): string =>
  `Trip ${t.tripId} (${t.city}, ${t.country}), ${w.date}. Plan the stop "${place}". Weather forecast: ${w.summary}, ${w.low}..${w.high} °C. ` +
  'The group is 12 adults, moderate walking pace, one wheelchair user; lunch must be included within the stop if it spans midday. ' +
  `Other stops of this trip: ${t.stops.filter((s) => s !== place).join('; ')}. Operator notes: coach available 08:00-18:00, ` +
  'guide speaks English and Spanish, budget 60 EUR per person per stop.';

export function stopPlan(place: string, w: StopWeather, pick: () => number): { text: string; cost: number } {
  const start = 9 + Math.floor(pick() * 5);
  const hours = 1 + Math.floor(pick() * 3);
  const cost = 12 + Math.floor(pick() * 60);
  const tip = TIPS[Math.floor(pick() * TIPS.length)]!;
  const fallback = w.summary.includes('rain') || w.summary.includes('Thunder') || w.summary === 'Showers' ? 'Indoor fallback is advised today: swap with the nearest museum slot.' : 'No indoor fallback needed; keep the museum slot as a reserve.';
  const text =
    `- ${String(start).padStart(2, '0')}:00–${String(start + hours).padStart(2, '0')}:00 ${place}: meet at the main entrance, ${hours} h with a local guide.\n` +
    `- Tip: ${tip}\n- Weather: ${w.summary}, ${w.low}..${w.high} °C. ${fallback}\n` +
    `- Meeting point: main entrance of ${place}; nearest stop is the central tram interchange, 6 minutes on foot, step-free.\n` +
    `- BOOK: group entry slot for 12 at ${String(start).padStart(2, '0')}:00 (free cancellation until 24 h before).\n` +
    `- Estimated cost: ${cost} EUR per person (entry, guide share, transit).`;
  return { text, cost };
}

export const guideSnippet = (t: Trip, pick: () => number): string =>
  `${t.city} travel guide (${t.country}). ${TIPS[Math.floor(pick() * TIPS.length)]!} Public transport day passes cover trams and buses; ` +
  `most sights in the centre are within a 20-minute walk. Peak season is June to August; book group entries 48 hours ahead.`;

/** Base62 stand-in for an OpenAI completion id (`chatcmpl-` + 29 characters). */
export function completionId(pick: () => number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let id = 'chatcmpl-';
  for (let i = 0; i < 29; i++) id += alphabet[Math.floor(pick() * alphabet.length)];
  return id;
}
