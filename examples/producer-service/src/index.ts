export { priceQuote } from './quote-contract.js';
export { QuoteProducer, type QuoteProducerOptions } from './quote-producer.js';
