/** Words and names the generators draw from (Faker-like, kept small and in-repo so data is seeded and offline). */

/** Relative audience of each genre in the living mode (same order as GENRES, src/catalog/vocabulary.ts). */
export const GENRE_WEIGHTS = [12, 14, 12, 4, 8, 3, 5, 2, 6, 2.5, 3, 4, 2, 2, 7, 6, 3] as const;

/** Living mode (same order as GENDERS): most users pick one of the first two, as in a real sign-up form. */
export const GENDER_WEIGHTS = [45, 45, 2, 1.5, 1.5, 1.5, 1, 1.25, 1.25] as const;

export const WORDS = [
  'people', 'skin', 'visit', 'occur', 'term', 'hear', 'with', 'hotel', 'thank', 'world', 'light',
  'river', 'night', 'morning', 'dream', 'heart', 'fire', 'water', 'stone', 'shadow', 'summer',
  'winter', 'city', 'road', 'home', 'story', 'voice', 'garden', 'ocean', 'mountain', 'window',
  'paper', 'glass', 'silver', 'golden', 'simple', 'young', 'wild', 'quiet', 'electric', 'broken',
  'lonely', 'happy', 'bright', 'dark', 'blue', 'red', 'green', 'black', 'white', 'little', 'great',
  'before', 'after', 'always', 'never', 'maybe', 'tonight', 'yesterday', 'forever', 'again',
  'already', 'across', 'answer', 'bank', 'build', 'business', 'camera', 'career', 'center',
  'chance', 'change', 'choice', 'class', 'college', 'common', 'country', 'course', 'culture',
  'current', 'dinner', 'doctor', 'energy', 'evening', 'family', 'father', 'mother', 'feeling',
  'field', 'figure', 'finally', 'flower', 'forget', 'friend', 'future', 'game', 'ground', 'growth',
  'history', 'hospital', 'island', 'kitchen', 'language', 'letter', 'machine', 'market', 'memory',
  'minute', 'moment', 'money', 'movement', 'music', 'nature', 'number', 'office', 'painting',
  'party', 'picture', 'planet', 'player', 'pocket', 'police', 'power', 'process', 'question',
  'radio', 'reason', 'record', 'region', 'rhythm', 'season', 'second', 'secret', 'sense', 'series',
  'signal', 'sister', 'society', 'someone', 'sound', 'space', 'spirit', 'spring', 'station',
  'street', 'student', 'system', 'table', 'teacher', 'theory', 'thought', 'travel', 'truth',
  'value', 'village', 'weather', 'western', 'whatever', 'wonder', 'worker', 'yellow', 'agree',
  'allow', 'attack', 'begin', 'believe', 'bring', 'carry', 'catch', 'close', 'dance', 'decide',
  'drive', 'enjoy', 'escape', 'explain', 'fall', 'follow', 'give', 'grow', 'hold', 'imagine',
  'keep', 'laugh', 'learn', 'leave', 'listen', 'live', 'lose', 'move', 'open', 'play', 'reach',
  'remember', 'return', 'run', 'save', 'search', 'shine', 'sing', 'sleep', 'speak', 'stand',
  'stay', 'stop', 'talk', 'travel', 'turn', 'wait', 'walk', 'watch', 'win', 'write', 'about',
  'above', 'against', 'along', 'among', 'around', 'behind', 'beyond', 'during', 'inside',
  'outside', 'through', 'toward', 'under', 'until', 'within', 'without', 'energy', 'machine',
  'cover', 'degree', 'effort', 'enough', 'everybody', 'especially', 'financial', 'material',
  'mission', 'natural', 'network', 'nothing', 'popular', 'positive', 'program', 'serious',
  'several', 'special', 'strategy', 'strong', 'subject', 'success', 'support', 'surface',
] as const;

export const FIRST_NAMES = [
  'Rachael', 'Randy', 'David', 'Jennifer', 'Russell', 'Kristy', 'Brittany', 'Mark', 'Emily',
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Linda', 'Michael', 'Barbara', 'William',
  'Elizabeth', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Christopher', 'Nancy', 'Daniel', 'Lisa', 'Matthew', 'Betty', 'Anthony', 'Margaret', 'Donald',
  'Sandra', 'Steven', 'Ashley', 'Paul', 'Kimberly', 'Andrew', 'Donna', 'Joshua', 'Michelle',
  'Kenneth', 'Dorothy', 'Kevin', 'Carol', 'Brian', 'Amanda', 'George', 'Melissa', 'Edward',
  'Deborah', 'Ronald', 'Stephanie', 'Timothy', 'Rebecca', 'Jason', 'Laura', 'Jeffrey', 'Sharon',
  'Ryan', 'Cynthia', 'Jacob', 'Kathleen', 'Gary', 'Amy', 'Nicholas', 'Shirley', 'Eric', 'Angela',
  'Jonathan', 'Helen', 'Stephen', 'Anna', 'Larry', 'Brenda', 'Justin', 'Pamela', 'Scott', 'Nicole',
  'Brandon', 'Samantha', 'Benjamin', 'Katherine', 'Samuel', 'Christine', 'Gregory', 'Debra',
  'Frank', 'Rachel', 'Alexander', 'Catherine', 'Raymond', 'Carolyn', 'Patrick', 'Janet', 'Jack',
  'Ruth', 'Dennis', 'Maria', 'Jerry', 'Heather', 'Tyler', 'Diane', 'Aaron', 'Virginia', 'Jose',
  'Julie', 'Adam', 'Joyce', 'Henry', 'Victoria', 'Nathan', 'Olivia', 'Douglas', 'Kelly',
  'Zachary', 'Christina', 'Peter', 'Lauren', 'Kyle', 'Joan', 'Walter', 'Evelyn', 'Ethan', 'Judith',
] as const;

export const LAST_NAMES = [
  'Owens', 'Bishop', 'Harris', 'Valentine', 'Kennedy', 'Robbins', 'Snow', 'Freeman', 'Thornton',
  'Noble', 'Singleton', 'Gibbs', 'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia',
  'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson',
  'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White',
  'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright',
  'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall',
  'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Gomez', 'Phillips', 'Evans', 'Turner',
  'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes', 'Stewart', 'Morris', 'Morales',
  'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper', 'Peterson', 'Bailey',
  'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson', 'Watson', 'Brooks',
  'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes', 'Price', 'Alvarez',
  'Castillo', 'Sanders', 'Patel', 'Myers', 'Long', 'Ross', 'Foster', 'Jimenez', 'Powell',
  'Jenkins', 'Perry', 'Russell', 'Sullivan', 'Bell', 'Coleman', 'Butler', 'Henderson', 'Barnes',
] as const;

export const EMAIL_DOMAINS = ['example.org', 'example.com', 'example.net'] as const;
