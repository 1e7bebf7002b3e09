//! The end-to-end suite, as one test binary: each module is one area of the product, and
//! each test starts its own app on port 0 with its own database. One binary rather than one
//! per file, because each links the whole server: 21 of them took 2.5 GB of disk and a link
//! apiece, which a CI machine with little disk left ran out on.

mod access;
mod attachments;
mod audit;
mod auth;
mod bench_smoke;
mod browser;
mod clients;
mod concurrency;
mod emails;
mod engagements;
mod fieldwork;
mod findings;
mod first_run;
mod follow_up;
mod hostile;
mod http;
mod jobs;
mod js;
mod learning;
mod meeting_mail;
mod meetings;
mod migrations;
mod n_plus_one;
mod participants;
mod people;
mod planning;
mod prework;
mod questionnaires;
mod report;
mod search;
mod stages;
mod subscriptions;
mod survey_mail;
mod survey_results;
mod survey_schedule;
mod surveys;
mod tracker;
mod worker_process;
