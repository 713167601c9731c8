-- A pending request edited in place by its owners shows in its history.
ALTER TYPE "ReviewDecision" ADD VALUE 'edited' AFTER 'resubmitted';
