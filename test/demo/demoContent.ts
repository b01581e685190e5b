/**
 * Per-destination content of the demo runs: what the LLM answered, what the knowledge base returned,
 * what the weather API reported. Plain data; runRecords.ts turns it into node executions.
 */
import { seededUuid } from './ids';

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

export const MODEL = { provider: 'langgenius/openai/openai', name: 'gpt-4o-mini' } as const;
export const DATASET = { id: seededUuid('dataset'), name: 'City Guides' } as const;

export const SYSTEM_PROMPT = 'You are a concise travel planner. Answer with one place per line, each starting with "- ".';
export const userPrompt = (destination: string, days: number): string =>
  `Suggest the must-see places in ${destination} for a ${days}-day trip.`;

interface DestinationContent {
  readonly places: readonly string[];
  readonly guide: string;
  /** [summary, low, high] per forecast day (metric). */
  readonly weather: ReadonlyArray<readonly [string, number, number]>;
}

export const CONTENT: Readonly<Record<string, DestinationContent>> = {
  Paris: {
    places: ['Louvre Museum', "Musée d'Orsay", 'Montmartre and Sacré-Cœur', 'Eiffel Tower at sunset'],
    guide: 'Museum Pass covers the Louvre and Orsay; book Louvre time slots a day ahead.',
    weather: [['Sunny', 14, 24], ['Light rain', 13, 19]],
  },
  'New York': {
    places: ['Central Park', 'The Metropolitan Museum of Art', 'Brooklyn Bridge walk', 'Top of the Rock', 'High Line', 'Statue of Liberty'],
    guide: 'A 7-day unlimited MetroCard pays off after 12 rides; ferries to Liberty Island leave from Battery Park.',
    weather: [['Partly cloudy', 17, 25], ['Thunderstorms', 19, 27], ['Sunny', 18, 28]],
  },
  Tokyo: {
    places: ['Senso-ji Temple', 'Shibuya Crossing', 'Meiji Shrine'],
    guide: 'A Suica card works on JR and metro lines; Senso-ji is quietest before 8 am.',
    weather: [],
  },
  // Destinations of the history runs (demoRuns.ts HISTORY_RUNS).
  Rome: {
    places: ['Colosseum and Roman Forum', 'Vatican Museums', 'Pantheon', 'Trevi Fountain', 'Trastevere', 'Villa Borghese'],
    guide: 'Colosseum tickets include the Forum and Palatine for 24 hours; the Vatican Museums close on Sundays.',
    weather: [['Sunny', 18, 29], ['Sunny', 19, 30], ['Partly cloudy', 18, 27]],
  },
  London: {
    places: ['British Museum', 'Tower of London', 'Westminster Abbey', 'Tate Modern', 'Borough Market'],
    guide: 'Contactless payment caps daily Tube fares; most national museums are free.',
    weather: [['Overcast', 12, 19], ['Showers', 11, 17]],
  },
  Barcelona: {
    places: ['Sagrada Família', 'Park Güell', 'Gothic Quarter', 'Casa Batlló', 'La Boqueria', 'Barceloneta beach'],
    guide: 'Sagrada Família and Park Güell need timed tickets booked in advance.',
    weather: [['Sunny', 20, 28], ['Sunny', 21, 29], ['Partly cloudy', 20, 27]],
  },
  Lisbon: {
    places: ['Belém Tower', 'Jerónimos Monastery', 'Alfama', 'São Jorge Castle'],
    guide: 'Tram 28 fills up by 10 am; the Lisboa Card covers Jerónimos and public transport.',
    weather: [['Sunny', 17, 26], ['Windy', 16, 23]],
  },
  Kyoto: {
    places: ['Fushimi Inari Taisha', 'Kinkaku-ji', 'Arashiyama Bamboo Grove', 'Kiyomizu-dera'],
    guide: 'Fushimi Inari is open all night; buses are slow in the afternoon, the subway is not.',
    weather: [['Cloudy', 16, 23], ['Rain', 15, 20]],
  },
  'San Francisco': {
    places: ['Golden Gate Bridge', 'Alcatraz Island', "Fisherman's Wharf", 'Golden Gate Park'],
    guide: 'Alcatraz ferries sell out days ahead; cable car day passes save money after three rides.',
    weather: [['Fog, clearing', 12, 19], ['Sunny', 13, 21]],
  },
};

export function contentFor(destination: string): DestinationContent {
  const content = CONTENT[destination];
  if (content === undefined) throw new Error(`no demo content for ${destination}`);
  return content;
}

export const placesText = (places: readonly string[]): string => places.map((p) => `- ${p}`).join('\n');

export type ForecastDay = { readonly date: string; readonly summary: string; readonly low: number; readonly high: number };
export const forecastLine = (d: ForecastDay): string => `${d.date}: ${d.summary}, ${d.low}..${d.high}`;

export function forecastDays(destination: string, days: number, firstDayMs: number): ForecastDay[] {
  return contentFor(destination)
    .weather.slice(0, days)
    .map(([summary, low, high], i) => ({
      date: new Date(firstDayMs + i * 86_400_000).toISOString().slice(0, 10),
      summary,
      low,
      high,
    }));
}

/** What the Code node computes on success (same logic as ITINERARY_CODE). */
export function itinerary(placesAnswer: string, days: readonly ForecastDay[]): string {
  const stops = placesAnswer
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.replace(/^[-* ]+|[-* ]+$/g, '').trim());
  const perDay = Math.floor(stops.length / days.length);
  return days
    .map((d, i) => `${d.date} (${d.summary}, ${d.low}..${d.high}): ${stops.slice(i * perDay, (i + 1) * perDay).join(', ')}`)
    .join('\n');
}

/** One knowledge-retrieval result item as the node outputs it (outputs.result[]). */
export function guideDocument(destination: string, score: number): JsonObject {
  const documentId = seededUuid(`doc:${destination}`);
  return {
    metadata: {
      _source: 'knowledge',
      dataset_id: DATASET.id,
      dataset_name: DATASET.name,
      document_id: documentId,
      document_name: `${destination.toLowerCase().replaceAll(' ', '-')}.md`,
      data_source_type: 'upload_file',
      segment_id: seededUuid(`segment:${destination}`),
      retriever_from: 'workflow',
      score,
      position: 1,
      doc_metadata: null,
    },
    title: `${destination.toLowerCase().replaceAll(' ', '-')}.md`,
    content: contentFor(destination).guide,
  };
}
