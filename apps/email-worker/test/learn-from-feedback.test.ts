import { learnFromFeedback } from '../src/categorize/learn-from-feedback.js';

const correction = (
  fromAddress: string,
  category: string | null,
  subject = 'x',
  rejectedCategory: string | null = null,
) => ({
  emailId: `${fromAddress}-${subject}`,
  fromAddress,
  subject,
  body: '',
  category,
  rejectedCategory,
});

describe('learnFromFeedback', () => {
  it('learns a sender only when its corrections agree, a domain only from two senders', () => {
    const learned = learnFromFeedback([
      correction('Ann <ann@corp.test>', 'work', 'a'),
      correction('ann@corp.test', 'work', 'b'),
      correction('mixed@shop.test', 'promotions', 'a'),
      correction('mixed@shop.test', 'finance', 'b'),
      correction('one@free.test', 'spam', 'a'),
      correction('one@free.test', 'spam', 'b'),
      correction('bob@corp.test', 'work'),
      correction('hr@corp.test', null, 'offer', 'promotions'),
    ]);
    expect(learned.senders.get('ann@corp.test')).toBe('work');
    expect(learned.senders.has('mixed@shop.test')).toBe(false);
    expect(learned.domains.get('corp.test')).toBe('work');
    // One sender's spam says nothing about the other senders of a shared mail host.
    expect(learned.domains.has('free.test')).toBe(false);
    expect(learned.rejectedBySender.get('hr@corp.test')).toEqual(new Set(['promotions']));
  });

  it('answers from words only with enough corrections, known words and confidence', () => {
    const few = learnFromFeedback([correction('a@x.test', 'travel', 'flight boarding gate')]);
    expect(few.keywords('flight boarding gate')).toBeUndefined();
    const learned = learnFromFeedback([
      correction('a@x.test', 'travel', 'flight boarding gate'),
      correction('b@x.test', 'travel', 'flight hotel booking'),
      correction('c@y.test', 'finance', 'invoice payment due'),
      correction('d@y.test', 'finance', 'invoice statement balance'),
    ]);
    expect(learned.keywords('Your flight: boarding at gate 4')).toBe('travel');
    expect(learned.keywords('Invoice: payment due soon')).toBe('finance');
    // Two words pointing both ways are not confident; one known word is too little; unknown ones none.
    expect(learned.keywords('flight invoice')).toBeUndefined();
    expect(learned.keywords('flight')).toBeUndefined();
    expect(learned.keywords('completely unrelated words')).toBeUndefined();
  });
});
