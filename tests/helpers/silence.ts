import { setLogSilent } from '@/server/log';

// tests assert on behaviour, not log lines; set PULSE_TEST_LOGS=1 to see them
if (!process.env.PULSE_TEST_LOGS) setLogSilent(true);
